package dev.relay.app.config;

import dev.relay.engine.endpoint.OnDeadLetter;

import dev.relay.engine.config.AutoDisablePolicy;
import dev.relay.engine.config.DatabaseConfig;
import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.config.RetentionPolicy;
import dev.relay.engine.config.RetryPolicy;
import dev.relay.engine.config.SslMode;
import dev.relay.webhook.config.BreakerSettings;
import dev.relay.webhook.config.RateLimit;
import dev.relay.webhook.config.TracingSettings;
import dev.relay.webhook.config.WebhookEndpoint;
import dev.relay.webhook.config.WebhookSettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Turns the checked sections into the validated records the modules take, filling in defaults (the
 * modules' own {@code DEFAULT}s). The records' constructors still check cross-key rules (the lease
 * must outlast the attempt timeout); their messages name the keys.
 */
final class Assembly {
  /** Added to allowed-networks by {@code allow-any-network: true}. */
  static final List<String> ANY_NETWORK = List.of("0.0.0.0/0", "::/0");

  private final Problems problems;

  private Assembly(Problems problems) {
    this.problems = problems;
  }

  static @Nullable RelayConfig assemble(RelayFile file, Problems problems) {
    return new Assembly(problems).relay(file);
  }

  private @Nullable RelayConfig relay(RelayFile f) {
    DatabaseSection db = or(f.database(), new DatabaseSection(null, null, null, null, null, null, null, null, null,
        null, null, null));
    if (db.url() == null) {
      problems.add("database.url", "is required");
    }
    DatabaseConfig database = db.url() == null ? null : build("database", () -> database(db));
    EngineConfig delivery = build("delivery", () -> delivery(f.delivery()));
    if (delivery != null && f.webhook() != null && f.webhook().attemptDeadline() != null
        && f.webhook().attemptDeadline().compareTo(delivery.attemptTimeout()) > 0) {
      problems.add("webhook.attempt-deadline", "must not exceed delivery.attempt-timeout ("
          + Durations.format(delivery.attemptTimeout()) + ")");
    }
    if (database != null && delivery != null) {
      Duration settlePath = database.statementTimeout().plus(delivery.settleLinger());
      Duration needed = delivery.attemptTimeout().plus(settlePath).plusSeconds(1);
      if (delivery.lease().compareTo(needed) < 0) {
        problems.add("delivery.lease", "must be at least delivery.attempt-timeout + delivery.settle-linger + "
            + "database.statement-timeout + 1s (" + Durations.format(needed) + "), so an attempt that runs out "
            + "its time can still settle before another relay may claim the row again (a late settle means a "
            + "duplicate delivery)");
      }
    }
    WebhookSettings webhook = delivery == null ? null : build("webhook", () -> webhook(f.webhook(), delivery));
    List<EndpointConfig> endpoints = endpoints(or(f.endpoints(), List.of()), f.webhook());
    AdminSection a = f.admin();
    AdminConfig d = AdminConfig.DEFAULT;
    AdminConfig admin = build("admin", () -> a == null ? d : new AdminConfig(or(a.bind(), d.bind()),
        or(a.port(), d.port()), a.token(), or(a.publishEnabled(), d.publishEnabled())));
    MetricsSection m = f.metrics();
    MetricsConfig metrics = m == null ? MetricsConfig.DEFAULT
        : new MetricsConfig(or(m.enabled(), true), or(m.jvm(), true), or(m.commonTags(), Map.of()));
    LoggingSection l = f.logging();
    LoggingConfig logging = l == null || problems.hasUnder("logging") ? LoggingConfig.DEFAULT : new LoggingConfig(
        l.format() == null ? LoggingConfig.Format.PLAIN : LoggingConfig.Format.valueOf(l.format().toUpperCase(Locale.ROOT)),
        or(l.level(), LoggingConfig.DEFAULT.level()));
    TracingSection t = f.tracing();
    TracingSettings td = TracingSettings.DEFAULTS;
    TracingSettings tracing = t == null ? td : new TracingSettings(or(t.enabled(), td.enabled()),
        or(t.startTraces(), td.startTraces()));
    Duration grace = f.shutdown() == null ? RelayConfig.DEFAULT_SHUTDOWN_GRACE
        : or(f.shutdown().gracePeriod(), RelayConfig.DEFAULT_SHUTDOWN_GRACE);
    RuntimeEndpointsConfig runtime = runtimeEndpoints(f.runtimeEndpoints());
    if (database == null || delivery == null || webhook == null || admin == null || !problems.isEmpty()) {
      return null;
    }
    return build("endpoints", () -> new RelayConfig(database, or(db.migrate(), true), delivery, webhook, endpoints, admin,
        metrics, logging, tracing, grace, runtime));
  }

  private RuntimeEndpointsConfig runtimeEndpoints(@Nullable RuntimeEndpointsSection s) {
    RuntimeEndpointsConfig d = RuntimeEndpointsConfig.DEFAULT;
    if (s == null) {
      return d;
    }
    List<byte[]> keys = new ArrayList<>();
    List<String> given = or(s.encryptionKeys(), List.of());
    for (int i = 0; i < given.size(); i++) {
      String at = "runtime-endpoints.encryption-keys[" + i + "]";
      try {
        byte[] key = java.util.Base64.getDecoder().decode(given.get(i).strip());
        if (key.length != 32) {
          problems.add(at, "must be the base64 of 32 bytes (an AES-256 key; value not shown), was " + key.length
              + " bytes; make one with: openssl rand -base64 32");
        }
        keys.add(key);
      } catch (IllegalArgumentException e) {
        problems.add(at, "must be base64 (value not shown); make one with: openssl rand -base64 32");
      }
    }
    return new RuntimeEndpointsConfig(keys, or(s.secretOverlap(), d.secretOverlap()),
        or(s.idleTimeout(), d.idleTimeout()), or(s.metricsPerEndpoint(), d.metricsPerEndpoint()),
        or(s.allowedNetworks(), d.allowedNetworks()), or(s.allowHttp(), d.allowHttp()));
  }

  private static DatabaseConfig database(DatabaseSection s) {
    return DatabaseConfig.of(String.valueOf(s.url()), or(s.user(), "relay"), s.password(), or(s.schema(), "relay"),
        or(s.poolSize(), 10), or(s.connectTimeout(), Duration.ofSeconds(10)),
        s.sslMode() == null ? null : SslMode.parse("database.ssl-mode", s.sslMode()),
        s.sslRootCert(), s.sslCert(), s.sslKey())
        .withStatementTimeout(or(s.statementTimeout(), DatabaseConfig.DEFAULT_STATEMENT_TIMEOUT));
  }

  private EngineConfig delivery(@Nullable DeliverySection s) {
    EngineConfig d = EngineConfig.DEFAULT;
    if (s == null) {
      return d;
    }
    RetryPolicy retry = retry(s.retry());
    RetentionPolicy retention = retention(s.retention());
    return new EngineConfig(or(s.maxInFlight(), d.maxInFlight()), or(s.claimBatchSize(), d.claimBatchSize()),
        or(s.endpointMaxInFlight(), d.endpointMaxInFlight()), Map.of(), or(s.lease(), d.lease()),
        or(s.attemptTimeout(), d.attemptTimeout()), or(s.pollInterval(), d.pollInterval()),
        or(s.pollIntervalWithoutNotify(), d.pollIntervalWithoutNotify()), or(s.settleBatchSize(), d.settleBatchSize()),
        or(s.settleLinger(), d.settleLinger()), or(s.maxPayloadBytes(), d.maxPayloadBytes()),
        or(s.gaugeRefresh(), d.gaugeRefresh()), retry, retention, autoDisable(s.autoDisable()));
  }

  private static AutoDisablePolicy autoDisable(@Nullable AutoDisableSection a) {
    AutoDisablePolicy d = AutoDisablePolicy.DEFAULT;
    if (a == null) {
      return d;
    }
    return Boolean.FALSE.equals(a.enabled()) ? AutoDisablePolicy.OFF
        : new AutoDisablePolicy(or(a.after(), d.after()), or(a.minFailedAttempts(), d.minFailedAttempts()));
  }

  private static RetryPolicy retry(@Nullable RetrySection r) {
    RetryPolicy d = RetryPolicy.DEFAULT;
    return r == null ? d : new RetryPolicy(or(r.initial(), d.initial()), or(r.factor(), d.factor()),
        or(r.cap(), d.cap()), or(r.jitter(), d.jitter()), or(r.maxAttempts(), d.maxAttempts()),
        or(r.maxRetryAfter(), d.maxRetryAfter()));
  }

  private static RetentionPolicy retention(@Nullable RetentionSection k) {
    RetentionPolicy d = RetentionPolicy.DEFAULT;
    return k == null ? d : new RetentionPolicy(or(k.delivered(), d.delivered()), or(k.dead(), d.dead()),
        or(k.interval(), d.interval()), or(k.batchSize(), d.batchSize()));
  }

  private WebhookSettings webhook(@Nullable WebhookSection s, EngineConfig delivery) {
    WebhookSettings d = WebhookSettings.DEFAULTS;
    Duration engineTimeout = delivery.attemptTimeout();
    // Below the engine's attempt timeout by default, so the deliverer's reason is the one recorded.
    Duration deadlineDefault = min(d.attemptDeadline(), engineTimeout.multipliedBy(5).dividedBy(6));
    if (s == null) {
      return d.withAttemptDeadline(deadlineDefault).withMaxRetryAfter(delivery.retry().maxRetryAfter());
    }
    Duration deadline = or(s.attemptDeadline(), deadlineDefault);
    BreakerSection b = s.breaker();
    BreakerSettings bd = BreakerSettings.DEFAULTS;
    BreakerSettings breaker = b == null ? bd : new BreakerSettings(
        or(b.failureRateThreshold(), (double) bd.failureRateThreshold()).floatValue(),
        or(b.slidingWindow(), bd.slidingWindow()), or(b.minimumCalls(), bd.minimumCalls()),
        or(b.openDuration(), bd.openDuration()), or(b.halfOpenCalls(), bd.halfOpenCalls()));
    return new WebhookSettings(or(s.connectTimeout(), d.connectTimeout()), deadline,
        or(s.maxResponseBytes(), d.maxResponseBytes()), delivery.retry().maxRetryAfter(),
        or(s.maxConnections(), d.maxConnections()), or(s.poolMaxIdleTime(), d.poolMaxIdleTime()),
        networks(s.allowedNetworks(), s.allowAnyNetwork()), or(s.allowHttp(), d.allowHttp()),
        or(s.userAgent(), d.userAgent()), or(s.rejectedRetryAfter(), d.rejectedRetryAfter()), breaker);
  }

  private List<EndpointConfig> endpoints(List<EndpointSection> sections, @Nullable WebhookSection webhook) {
    boolean httpEverywhere = webhook != null && Boolean.TRUE.equals(webhook.allowHttp());
    List<EndpointConfig> out = new ArrayList<>();
    Map<String, String> firstPathByName = new HashMap<>();
    for (int i = 0; i < sections.size(); i++) {
      EndpointSection s = sections.get(i);
      String at = "endpoints[" + i + "]";
      if (s == null) {
        problems.add(at, "must be a mapping of keys to values (an endpoint)");
        continue;
      }
      if (s.name() == null || s.url() == null || s.secrets() == null || problems.hasUnder(at)) {
        continue;
      }
      String previous = firstPathByName.putIfAbsent(s.name(), at);
      if (previous != null) {
        problems.add(at + ".name", "duplicate endpoint name '" + s.name() + "' (also " + previous + ".name)");
        continue;
      }
      URI url = URI.create(s.url().strip());
      boolean allowHttp = or(s.allowHttp(), false);
      if ("http".equalsIgnoreCase(url.getScheme()) && !allowHttp && !httpEverywhere) {
        problems.add(at + ".url", "is plain http; use https or set " + at + ".allow-http: true");
        continue;
      }
      EndpointConfig e = build(at, () -> new EndpointConfig(s.name(), url, s.secrets(), or(s.eventTypes(), List.of()),
          or(s.headers(), Map.of()), s.maxInFlight(), s.rateLimit() == null ? null : RateLimit.parse(at, s.rateLimit()),
          networks(s.allowedNetworks(), s.allowAnyNetwork()), allowHttp || httpEverywhere, or(s.paused(), false),
          s.onDeadLetter() == null ? OnDeadLetter.SKIP : OnDeadLetter.parse(s.onDeadLetter())));
      // relay-webhook's own checks must agree; report any they add.
      if (e != null && build(at, () -> e.toWebhookEndpoint(WebhookEndpoint.DEFAULT_MAX_IN_FLIGHT)) != null) {
        out.add(e);
      }
    }
    return out;
  }

  private static List<String> networks(@Nullable List<String> listed, @Nullable Boolean any) {
    List<String> out = new ArrayList<>();
    for (String cidr : or(listed, List.<String>of())) {
      out.add(cidr.strip());
    }
    if (Boolean.TRUE.equals(any)) {
      out.addAll(ANY_NETWORK);
    }
    return out;
  }

  /** Runs a constructor unless {@code path} already has a problem; records what it refuses. */
  private <T> @Nullable T build(String path, Supplier<T> constructor) {
    if (problems.hasUnder(path)) {
      return null;
    }
    try {
      return constructor.get();
    } catch (IllegalArgumentException e) {
      problems.add(path, e);
      return null;
    }
  }

  private static <T> T or(@Nullable T value, T fallback) {
    return value != null ? value : fallback;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
