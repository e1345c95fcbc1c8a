package dev.relay.loadtest.receiver;

import dev.relay.webhook.signing.WebhookVerifier;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Objects;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * A Reactor Netty webhook receiver. Every POST to {@code /{path}} is verified as Standard
 * Webhooks (a bad signature is answered 401 and counted, never reported as an arrival), then
 * answered as the current {@link FaultSchedule} says; accepted requests go to the current {@link
 * ArrivalListener}. Listener and schedule can be swapped while running, so one receiver serves
 * several measured phases. Runs on its own event loops; {@link #close()} stops it.
 *
 * <pre>{@code
 * try (Receiver receiver = Receiver.start(ReceiverSettings.of(secret))) {
 *   receiver.listen(ledger);
 *   receiver.schedule(FaultSchedule.parse("0s=delay:20ms,30s=error:503:0.5"));
 *   String url = receiver.url("ep-0000");
 * }
 * }</pre>
 */
public final class Receiver implements AutoCloseable {
  private final LoopResources loops;
  private final DisposableServer server;
  private final Counters counters = new Counters();
  private volatile ArrivalListener listener = ArrivalListener.NONE;
  private volatile Active active = new Active(FaultSchedule.ALWAYS_OK, System.nanoTime());
  /** Schedules for single paths (one faulty endpoint among healthy ones), over {@link #active}. */
  private final Map<String, Active> perPath = new ConcurrentHashMap<>();

  /** The schedule in force and when it was applied, swapped as one value. */
  private record Active(FaultSchedule schedule, long startNanos) {}

  private Receiver(ReceiverSettings settings) {
    this.loops = LoopResources.create("receiver", settings.eventLoops(), true);
    RequestHandler handler = new RequestHandler(WebhookVerifier.of(settings.secret()), settings.maxBodyBytes(),
        counters, this::currentBehaviour, () -> listener);
    this.server = Objects.requireNonNull(HttpServer.create()
        .runOn(loops)
        .host(settings.host())
        .port(settings.port())
        .idleTimeout(Duration.ofMinutes(2))
        .route(r -> r.post("/{path}", handler::handle))
        .bindNow(Duration.ofSeconds(30)));
  }

  public static Receiver start(ReceiverSettings settings) {
    return new Receiver(settings);
  }

  /** Where a relay endpoint named {@code path} should POST. */
  public String url(String path) {
    return "http://" + server.host() + ":" + server.port() + "/" + path;
  }

  public int port() {
    return server.port();
  }

  /** Accepted requests go to this listener from now on. */
  public void listen(ArrivalListener newListener) {
    this.listener = Objects.requireNonNull(newListener);
  }

  /** Applies a schedule; its offsets count from now. */
  public void schedule(FaultSchedule newSchedule) {
    this.active = new Active(Objects.requireNonNull(newSchedule), System.nanoTime());
  }

  /** Applies a schedule to requests for {@code path} (an endpoint's name) only; offsets count from now. */
  public void schedule(String path, FaultSchedule newSchedule) {
    perPath.put(path, new Active(Objects.requireNonNull(newSchedule), System.nanoTime()));
  }

  /** Requests for {@code path} follow the receiver-wide schedule again. */
  public void clearSchedule(String path) {
    perPath.remove(path);
  }

  public FaultSchedule schedule() {
    return active.schedule();
  }

  public ReceiverCounts counts() {
    return counters.snapshot();
  }

  /** The most requests to {@code path} (an endpoint's name) in progress at once since {@link #resetPeaks()}. */
  public int peakConcurrency(String path) {
    return counters.peak(path);
  }

  public void resetPeaks() {
    counters.resetPeaks();
  }

  private Behaviour currentBehaviour(String path) {
    Active a = perPath.getOrDefault(path, active);
    return a.schedule().at(Duration.ofNanos(System.nanoTime() - a.startNanos()));
  }

  @Override
  public void close() {
    server.disposeNow(Duration.ofSeconds(10));
    loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
  }
}
