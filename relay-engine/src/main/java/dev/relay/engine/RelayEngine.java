package dev.relay.engine;

import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.db.Database;
import dev.relay.engine.db.Queries;
import dev.relay.engine.db.Sql;
import dev.relay.engine.deadletter.DeadLetters;
import dev.relay.engine.delivery.Deliveries;
import dev.relay.engine.history.AttemptHistory;
import dev.relay.engine.endpoint.EndpointSpec;
import dev.relay.engine.endpoint.Endpoints;
import dev.relay.engine.endpoint.RuntimeEndpoints;
import dev.relay.engine.endpoint.RuntimeServing;
import dev.relay.engine.logging.EveryFew;
import dev.relay.engine.loop.DeliveryLoop;
import dev.relay.engine.metrics.EngineMetrics;
import dev.relay.engine.publish.MessagePublisher;
import dev.relay.engine.registry.Registry;
import dev.relay.engine.retention.Purger;
import dev.relay.engine.spi.Deliverer;
import dev.relay.engine.time.Deadlines;
import dev.relay.engine.wakeup.NotificationListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * The relay's engine: claims due deliveries, hands them to a {@link Deliverer}, settles the
 * outcomes, wakes on NOTIFY (polling as a fallback), purges old rows, and keeps gauges fresh.
 * It knows nothing of HTTP. Migrations are separate ({@link Database#migrate()}), so a
 * deployment can run them once before starting relays.
 */
public final class RelayEngine {
  private static final Logger log = LoggerFactory.getLogger(RelayEngine.class);
  static final Duration SELF_TEST_TIMEOUT = Duration.ofSeconds(3);
  /** How often a relay whose NOTIFY self-test failed tests again while its LISTEN connection is up. */
  static final Duration NOTIFY_RETEST = Duration.ofMinutes(1);
  /** Endpoints waiting for another relay that health reports keep, at most. */
  private static final int UNSERVED_LISTED = 100;
  /** Blocked ordering keys read per gauge refresh, at most. */
  private static final int BLOCKED_KEYS_COUNTED = 10_000;

  private final Database database;
  private final EngineConfig config;
  private final EngineMetrics metrics;
  private final Registry registration;
  private final DeliveryLoop loop;
  private final NotificationListener listener;
  private final Purger purger;
  private final Endpoints endpoints;
  private final DeadLetters deadLetters;
  private final Deliveries deliveries;
  private final AttemptHistory history;
  private final MessagePublisher publisher;
  private final RuntimeServing runtime;
  private final RuntimeEndpoints runtimeEndpoints;
  private final List<Consumer<@Nullable String>> endpointChangeListeners = new CopyOnWriteArrayList<>();
  private final Disposable.Composite background = Disposables.composite();
  private final AtomicReference<Sinks.@Nullable One<Boolean>> selfTest = new AtomicReference<>();
  private volatile @Nullable String selfTestPayload;
  private volatile boolean running;
  private volatile boolean notifyWorks;
  private volatile boolean selfTested;
  private final AtomicBoolean selfTesting = new AtomicBoolean();
  /** How long the self-test waits for its notification; tests shorten it to make one fail. */
  private volatile Duration selfTestTimeout = SELF_TEST_TIMEOUT;
  private volatile List<String> unserved = List.of();

  private RelayEngine(Database database, EngineConfig config, List<EndpointSpec> endpoints, Deliverer deliverer,
      MeterRegistry registry, Scheduler attemptClock, RuntimeServing runtime) {
    this.database = database;
    this.config = config;
    this.runtime = runtime;
    Set<String> configured = endpoints.stream().map(EndpointSpec::name).collect(Collectors.toUnmodifiableSet());
    this.metrics = new EngineMetrics(registry,
        name -> runtime.ownSeries() || configured.contains(name) ? name : Sql.RUNTIME_SERIES);
    this.registration = new Registry(database, endpoints, instanceName(), runtime.serve());
    this.loop = new DeliveryLoop(database, config, deliverer, metrics, registration.instance(), attemptClock);
    this.listener = new NotificationListener(database, Duration.ofMillis(200), Duration.ofSeconds(10));
    this.purger = new Purger(database, config.retention(), metrics);
    this.endpoints = new Endpoints(database, config.autoDisable());
    this.deadLetters = new DeadLetters(database, loop::wake);
    this.deliveries = new Deliveries(database);
    this.history = new AttemptHistory(database);
    this.publisher = new MessagePublisher(database);
    this.runtimeEndpoints = new RuntimeEndpoints(database);
    metrics.listenerConnected(() -> listener.connected() ? 1 : 0);
  }

  /**
   * An engine that serves {@code endpoints}: it claims only their rows, and registers them so
   * that publishes route to them (see {@link Registry}).
   */
  public static RelayEngine create(Database database, EngineConfig config, List<EndpointSpec> endpoints,
      Deliverer deliverer, MeterRegistry registry) {
    return create(database, config, endpoints, deliverer, registry, RuntimeServing.OFF);
  }

  /** As above, serving the endpoints managed at runtime too if {@code runtime} says so. */
  public static RelayEngine create(Database database, EngineConfig config, List<EndpointSpec> endpoints,
      Deliverer deliverer, MeterRegistry registry, RuntimeServing runtime) {
    return new RelayEngine(database, config, endpoints, deliverer, registry, Deadlines.wheel(), runtime);
  }

  /** For tests: {@code attemptClock} times delivery attempts (stop it to play a frozen relay). */
  static RelayEngine create(Database database, EngineConfig config, List<EndpointSpec> endpoints,
      Deliverer deliverer, MeterRegistry registry, Scheduler attemptClock) {
    return new RelayEngine(database, config, endpoints, deliverer, registry, attemptClock, RuntimeServing.OFF);
  }

  /** Host and process, for operators reading relay.instance. Read once, off any event loop. */
  private static String instanceName() {
    String host = System.getenv("HOSTNAME");
    return (host == null || host.isBlank() ? "relay" : host) + ":" + ProcessHandle.current().pid();
  }

  /**
   * Starts delivering: pushes settings to the database, starts LISTEN (with a self-test that
   * NOTIFY really arrives), the delivery loop, the purger and the gauges. Rows a crashed relay
   * held become due when their leases expire; the first claim picks up everything due.
   */
  public Mono<Void> start() {
    return database.queries()
        .update(database.sql().setMaxPayload(), String.valueOf(config.maxPayloadBytes()))
        .then(registration.register())
        .then(Mono.fromRunnable(() -> {
          running = true;
          loop.start();
          background.add(listener.start(this::onNotification, this::onListenerConnected, this::onListenerLost));
          background.add(every(config.retention().interval(), config.retention().interval(), "Retention purge",
              () -> purger.purgeOnce().then()));
          background.add(every(Duration.ZERO, config.gaugeRefresh(), null, this::refreshGauges));
          background.add(every(Registry.HEARTBEAT, Registry.HEARTBEAT, "Heartbeat", registration::heartbeat));
          background.add(every(NOTIFY_RETEST, NOTIFY_RETEST, null, this::retestNotify));
          log.info("Relay engine started on schema {} (max in flight {}, claim batch {}, lease {})",
              database.sql().schema(), config.maxInFlight(), config.claimBatchSize(), config.lease());
        }))
        .then();
  }

  /**
   * Runs {@code task} every {@code period}, one run at a time; a failure is logged (unless {@code
   * what} is null) and the next run tries again.
   */
  private static Disposable every(Duration first, Duration period, @Nullable String what,
      Supplier<Mono<Void>> task) {
    EveryFew failures = new EveryFew(log, period.compareTo(Duration.ofMinutes(1)) > 0 ? period : Duration.ofMinutes(1));
    return Flux.interval(first, period)
        .onBackpressureDrop()
        .concatMap(tick -> Mono.defer(task).onErrorResume(e -> {
          if (what != null) {
            failures.warn("{} failed ({}); next run in {}", what, e.toString(), period);
          }
          return Mono.empty();
        }))
        .subscribe();
  }

  private void onNotification(String payload) {
    String expected = selfTestPayload;
    if (expected != null && expected.equals(payload)) {
      Sinks.One<Boolean> test = selfTest.get();
      if (test != null) {
        test.tryEmitValue(true);
      }
      return;
    }
    if (payload.equals(ENDPOINTS_CREATED)) {
      endpointChangeListeners.forEach(l -> l.accept(null));
      return; // nothing to claim yet
    }
    if (payload.startsWith(ENDPOINT_CHANGED)) {
      String name = payload.substring(ENDPOINT_CHANGED.length());
      endpointChangeListeners.forEach(l -> l.accept(name));
    }
    loop.wake();
  }

  /**
   * Calls {@code listener} with the name of every runtime endpoint that changed (updated,
   * rotated, deleted), as relay.endpoint_changed notifies, and with null when endpoints were
   * created (relay.endpoints_created). Notifications can be lost: compare versions now and then
   * too ({@link RuntimeEndpoints#versions}).
   */
  public void onEndpointChange(Consumer<@Nullable String> listener) {
    endpointChangeListeners.add(listener);
  }

  /** The payload prefix relay.endpoint_changed notifies with. */
  private static final String ENDPOINT_CHANGED = "endpoint ";
  /** The payload relay.endpoints_created notifies with. */
  private static final String ENDPOINTS_CREATED = "endpoints created";

  private Mono<Void> onListenerConnected() {
    // Catch up on whatever was published while we were not listening.
    loop.wake();
    if (selfTested) {
      metrics.listenerReconnected();
    }
    selfTested = true;
    if (notifyWorks) {
      loop.notifyHealthy(true);
      return Mono.empty();
    }
    // Not known to work (first connect, or an earlier test failed, perhaps only transiently):
    // test again on every new connection rather than poll fast for the rest of the relay's life.
    return runSelfTest();
  }

  /** While connected but notifications are not known to work, tests again now and then. */
  private Mono<Void> retestNotify() {
    return listener.connected() && !notifyWorks ? runSelfTest() : Mono.empty();
  }

  private void onListenerLost() {
    loop.notifyHealthy(false);
  }

  /**
   * NOTIFY self-test: send a notification through the pool and wait for it on the LISTEN
   * connection. Behind pgbouncer in transaction mode LISTEN "succeeds" but nothing arrives; then
   * the relay says so once and polls at the faster interval.
   */
  private Mono<Void> runSelfTest() {
    if (!selfTesting.compareAndSet(false, true)) {
      return Mono.empty();
    }
    Sinks.One<Boolean> test = Sinks.one();
    selfTest.set(test);
    String payload = "selftest:" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    selfTestPayload = payload;
    Duration limit = selfTestTimeout;
    long started = System.nanoTime();
    return database.queries()
        .one("SELECT pg_notify($1, $2)", row -> true, listener.channel(), payload)
        .then(test.asMono())
        .timeout(limit)
        // The timer runs on another thread: on a busy machine the notification can beat a timer
        // that is already due. Late is late, whichever fired first.
        .filter(ok -> System.nanoTime() - started <= limit.toNanos())
        .switchIfEmpty(Mono.error(() -> new TimeoutException("the notification took longer than " + limit)))
        .doOnNext(ok -> {
          notifyWorks = true;
          loop.notifyHealthy(true);
          log.info("LISTEN/NOTIFY self-test passed; polling every {} as a fallback", config.pollInterval());
        })
        .onErrorResume(e -> {
          notifyWorks = false;
          loop.notifyHealthy(false);
          log.warn("LISTEN/NOTIFY self-test failed ({}): notifications do not arrive, e.g. behind pgbouncer in "
              + "transaction mode. Polling every {} instead; testing again every {} and at every reconnect.",
              e.toString(), config.pollIntervalWithoutNotify(), NOTIFY_RETEST);
          return Mono.empty();
        })
        .doFinally(signal -> selfTesting.set(false))
        .then();
  }

  private Mono<Void> refreshGauges() {
    Map<String, Long> backlog = new HashMap<>();
    Map<String, Double> oldest = new HashMap<>();
    Map<String, Long> blocked = new HashMap<>();
    Map<String, Long> superseded = new HashMap<>();
    List<String> waiting = new ArrayList<>();
    long[] unservedRows = {0};
    Queries queries = database.queries();
    Sql sql = database.sql();
    return queries
        .query(sql.backlog(), row -> {
          String endpoint = row.get("endpoint", String.class);
          backlog.put(endpoint, row.get("backlog", Long.class));
          Number age = row.get("oldest", Number.class);
          oldest.put(endpoint, age == null ? 0.0 : age.doubleValue());
          return endpoint;
        }, registration.instance(), runtime.ownSeries())
        .then(Mono.fromRunnable(() -> metrics.backlog(backlog, oldest)))
        .thenMany(queries.query(sql.supersededCount(),
            row -> {
              String endpoint = row.get("endpoint", String.class);
              superseded.put(endpoint, row.get("superseded", Long.class));
              return endpoint;
            },
            registration.instance()))
        .then(Mono.fromRunnable(() -> metrics.superseded(superseded)))
        .then(queries.one(sql.unroutedCount(), row -> row.get(0, Long.class)))
        .doOnNext(metrics::unrouted)
        .then(queries.one(sql.failingEndpoints(), row -> {
          metrics.failingEndpoints(row.get("warning", Long.class), row.get("disabled", Long.class));
          return true;
        }))
        .thenMany(queries.query(sql.unserved(), row -> {
          long pending = row.get("pending", Long.class);
          unservedRows[0] += pending;
          if (waiting.size() < UNSERVED_LISTED) {
            waiting.add(row.get("endpoint", String.class) + " (" + pending + " pending, "
                + (Boolean.TRUE.equals(row.get("served", Boolean.class)) ? "served by another relay"
                    : "no running relay serves it") + ")");
          }
          return pending;
        }, registration.instance(), Registry.EXPIRY.toMillis()))
        .then(Mono.fromRunnable(() -> {
          metrics.unserved(unservedRows[0]);
          unserved = List.copyOf(waiting);
        }))
        .thenMany(endpoints.blockedKeys(null, BLOCKED_KEYS_COUNTED)
            .doOnNext(k -> blocked.merge(k.endpoint(), 1L, Long::sum)))
        .then(Mono.fromRunnable(() -> metrics.blockedKeys(blocked)));
  }

  /**
   * Stops claiming, lets in-flight deliveries finish for up to {@code grace}, then hands back
   * whatever is unfinished so another relay can take it at once, and ends this relay's
   * registration. Does not close the database.
   */
  public Mono<Void> stop(Duration grace) {
    return Mono.defer(() -> {
      running = false;
      log.info("Stopping: no new claims; waiting up to {} for {} in-flight deliveries", grace, loop.inFlight());
      return loop.stop(grace)
          .then(registration.deregister().onErrorResume(e -> {
            log.warn("Could not deregister ({}); this relay's registration lapses after {}", e.toString(),
                Registry.EXPIRY);
            return Mono.empty();
          }))
          .doFinally(s -> background.dispose());
    });
  }

  public EngineHealth health() {
    boolean connected = listener.connected();
    Throwable failure = loop.failure();
    if (failure != null) {
      return new EngineHealth(false, false, connected, "failed", "the delivery pipeline failed: " + failure);
    }
    if (!running) {
      return new EngineHealth(false, false, connected, "stopped", "the delivery loop is not running");
    }
    Duration since = loop.sinceProgress();
    if (since.compareTo(loop.stallLimit()) > 0) {
      String error = loop.lastError();
      return new EngineHealth(true, false, connected, "stalled", "no claim or settle has completed for "
          + since.toSeconds() + " s" + (error == null ? "" : " (last error: " + error + ")"));
    }
    String also = unserved.isEmpty() ? "" : "; waiting for a relay that serves them: "
        + String.join(", ", unserved.subList(0, Math.min(5, unserved.size())))
        + (unserved.size() > 5 ? " and " + (unserved.size() - 5) + " more endpoints" : "");
    if (connected && notifyWorks) {
      return new EngineHealth(true, true, true, "listen",
          "woken by LISTEN/NOTIFY; polling every " + config.pollInterval() + also);
    }
    String why = !connected ? "LISTEN connection is down (reconnecting)"
        : selfTestPayload != null && !notifyWorks ? "notifications do not arrive (pgbouncer?)"
        : "LISTEN self-test pending";
    return new EngineHealth(true, true, connected, "polling",
        why + "; polling every " + config.pollIntervalWithoutNotify() + also);
  }

  /** For tests: how long the NOTIFY self-test waits. */
  void selfTestTimeout(Duration timeout) {
    this.selfTestTimeout = timeout;
  }

  /** This relay's instance id in relay.instance. */
  public UUID instance() {
    return registration.instance();
  }

  /** Asks for a claim now, e.g. after an operator action. */
  public void wake() {
    loop.wake();
  }

  public int inFlight() {
    return loop.inFlight();
  }

  /** Endpoints managed at runtime. */
  public RuntimeEndpoints runtimeEndpoints() {
    return runtimeEndpoints;
  }

  /** Whether this relay serves the runtime endpoints, and how they are labelled in its metrics. */
  public RuntimeServing runtimeServing() {
    return runtime;
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  public DeadLetters deadLetters() {
    return deadLetters;
  }

  public Deliveries deliveries() {
    return deliveries;
  }

  /** Every attempt on record: of a message, of a delivery, an endpoint's failures. */
  public AttemptHistory history() {
    return history;
  }

  public MessagePublisher publisher() {
    return publisher;
  }

  public Purger purger() {
    return purger;
  }

  public EngineConfig config() {
    return config;
  }
}
