package dev.relay.app.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.relay.engine.config.DatabaseConfig;
import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.config.RetentionPolicy;
import dev.relay.engine.config.RetryPolicy;
import dev.relay.webhook.config.BreakerSettings;
import dev.relay.webhook.config.WebhookSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@code relay.yaml}. Order of precedence for every key: the {@code RELAY_<KEY_PATH>}
 * environment variable (e.g. {@code RELAY_DATABASE_URL}, {@code RELAY_ENDPOINTS_0_URL}), then the
 * file (where {@code ${VAR}} and {@code ${VAR:-default}} are expanded), then the default. Every
 * problem is collected and reported together, each naming its key path.
 */
public final class ConfigLoader {
  private static final YAMLMapper YAML =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private ConfigLoader() {}

  public static RelayConfig load(Path file, Map<String, String> env) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          file.toString(), List.of(new ConfigProblem("", "file not found: " + file.toAbsolutePath())));
    } catch (IOException e) {
      throw new ConfigException(
          file.toString(), List.of(new ConfigProblem("", "cannot read " + file + ": " + e.getMessage())));
    }
    return parse(text, file.toString(), env);
  }

  public static RelayConfig parse(String yaml, String source, Map<String, String> env) {
    JsonNode root;
    try {
      root = yaml.isBlank() ? null : YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
      throw new ConfigException(source, List.of(new ConfigProblem("", where + e.getOriginalMessage())));
    }
    Problems problems = new Problems();
    RelayConfig config = bind(new Section(problems, env, "", root), problems);
    if (!problems.isEmpty() || config == null) {
      throw new ConfigException(source, problems.asList());
    }
    return config;
  }

  private static @Nullable RelayConfig bind(Section root, Problems problems) {
    Section db = root.section("database");
    DatabaseConfig database = database(db, problems);
    boolean migrate = db.bool("migrate", true);
    db.rejectUnknownKeys();

    EngineConfig delivery = delivery(root.section("delivery"), problems);
    WebhookSettings webhook = webhook(root.section("webhook"), delivery, problems);
    List<EndpointConfig> endpoints = EndpointReader.read(root.sections("endpoints"), problems);
    AdminConfig admin = admin(root.section("admin"), problems);
    MetricsConfig metrics = metrics(root.section("metrics"), problems);
    LoggingConfig logging = logging(root.section("logging"), problems);
    Section shutdown = root.section("shutdown");
    Duration grace = shutdown.duration("grace-period", RelayConfig.DEFAULT_SHUTDOWN_GRACE);
    shutdown.rejectUnknownKeys();
    root.rejectUnknownKeys();

    if (database == null || delivery == null || webhook == null || admin == null
        || metrics == null || logging == null || !problems.isEmpty()) {
      return null;
    }
    RelayConfig config =
        build(problems, () -> new RelayConfig(database, migrate, delivery, webhook, endpoints, admin, metrics, logging, grace));
    if (config != null) {
      build(problems, config::engineConfig);
    }
    return config;
  }

  private static @Nullable DatabaseConfig database(Section s, Problems problems) {
    String url = s.required("url");
    String user = s.string("user", "relay");
    String password = s.string("password");
    String schema = s.string("schema", "relay");
    int poolSize = s.integer("pool-size", 10);
    Duration connectTimeout = s.duration("connect-timeout", Duration.ofSeconds(10));
    if (url == null) {
      return null;
    }
    return build(problems, () -> new DatabaseConfig(url, user, password, schema, poolSize, connectTimeout));
  }

  private static @Nullable EngineConfig delivery(Section s, Problems problems) {
    EngineConfig d = EngineConfig.DEFAULT;
    int maxInFlight = s.integer("max-in-flight", d.maxInFlight());
    int claimBatch = s.integer("claim-batch-size", d.claimBatchSize());
    int endpointMax = s.integer("endpoint-max-in-flight", d.endpointMaxInFlight());
    Duration lease = s.duration("lease", d.lease());
    Duration attemptTimeout = s.duration("attempt-timeout", d.attemptTimeout());
    Duration poll = s.duration("poll-interval", d.pollInterval());
    Duration pollNoNotify = s.duration("poll-interval-without-notify", d.pollIntervalWithoutNotify());
    int settleBatch = s.integer("settle-batch-size", d.settleBatchSize());
    Duration settleLinger = s.duration("settle-linger", d.settleLinger());
    int maxPayload = s.integer("max-payload-bytes", d.maxPayloadBytes());
    Duration gaugeRefresh = s.duration("gauge-refresh", d.gaugeRefresh());

    Section r = s.section("retry");
    RetryPolicy rd = RetryPolicy.DEFAULT;
    Duration initial = r.duration("initial", rd.initial());
    double factor = r.decimal("factor", rd.factor());
    Duration cap = r.duration("cap", rd.cap());
    double jitter = r.decimal("jitter", rd.jitter());
    int maxAttempts = r.integer("max-attempts", rd.maxAttempts());
    Duration maxRetryAfter = r.duration("max-retry-after", rd.maxRetryAfter());
    r.rejectUnknownKeys();
    RetryPolicy retry =
        build(problems, () -> new RetryPolicy(initial, factor, cap, jitter, maxAttempts, maxRetryAfter));

    Section k = s.section("retention");
    RetentionPolicy kd = RetentionPolicy.DEFAULT;
    Duration delivered = k.duration("delivered", kd.delivered());
    Duration dead = k.duration("dead", kd.dead());
    Duration interval = k.duration("interval", kd.interval());
    int batch = k.integer("batch-size", kd.batchSize());
    k.rejectUnknownKeys();
    RetentionPolicy retention = build(problems, () -> new RetentionPolicy(delivered, dead, interval, batch));
    s.rejectUnknownKeys();
    if (retry == null || retention == null) {
      return null;
    }
    return build(problems, () -> new EngineConfig(maxInFlight, claimBatch, endpointMax, Map.of(), lease,
        attemptTimeout, poll, pollNoNotify, settleBatch, settleLinger, maxPayload, gaugeRefresh, retry, retention));
  }

  private static @Nullable WebhookSettings webhook(Section s, @Nullable EngineConfig delivery, Problems problems) {
    WebhookSettings d = WebhookSettings.DEFAULTS;
    Duration connect = s.duration("connect-timeout", d.connectTimeout());
    // Below the engine's attempt timeout by default, so the deliverer's reason is the one recorded.
    Duration engineTimeout = delivery == null ? EngineConfig.DEFAULT.attemptTimeout() : delivery.attemptTimeout();
    Duration deadlineDefault = min(d.attemptDeadline(), engineTimeout.multipliedBy(5).dividedBy(6));
    Duration deadline = s.duration("attempt-deadline", deadlineDefault);
    if (deadline.compareTo(engineTimeout) > 0) {
      problems.add(s.key("attempt-deadline"), "must not exceed delivery.attempt-timeout (" + engineTimeout + ")");
    }
    int maxResponse = s.integer("max-response-bytes", d.maxResponseBytes());
    int maxConnections = s.integer("max-connections", d.maxConnections());
    Duration idle = s.duration("pool-max-idle-time", d.poolMaxIdleTime());
    List<String> networks = EndpointReader.networks(s, "allowed-networks", problems);
    boolean allowHttp = s.bool("allow-http", d.allowHttp());
    String userAgent = s.string("user-agent", d.userAgent());
    Duration rejectedRetryAfter = s.duration("rejected-retry-after", d.rejectedRetryAfter());
    Duration maxRetryAfter = delivery == null ? d.maxRetryAfter() : delivery.retry().maxRetryAfter();
    Section b = s.section("breaker");
    BreakerSettings bd = BreakerSettings.DEFAULTS;
    double threshold = b.decimal("failure-rate-threshold", bd.failureRateThreshold());
    int window = b.integer("sliding-window", bd.slidingWindow());
    int minimum = b.integer("minimum-calls", bd.minimumCalls());
    Duration open = b.duration("open-duration", bd.openDuration());
    int halfOpen = b.integer("half-open-calls", bd.halfOpenCalls());
    b.rejectUnknownKeys();
    s.rejectUnknownKeys();
    BreakerSettings breaker =
        build(problems, () -> new BreakerSettings((float) threshold, window, minimum, open, halfOpen));
    if (breaker == null) {
      return null;
    }
    return build(problems, () -> new WebhookSettings(connect, deadline, maxResponse, maxRetryAfter, maxConnections,
        idle, networks, allowHttp, userAgent, rejectedRetryAfter, breaker));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static @Nullable AdminConfig admin(Section s, Problems problems) {
    AdminConfig d = AdminConfig.DEFAULT;
    String bind = s.string("bind", d.bind());
    int port = s.integer("port", d.port());
    String token = s.string("token");
    boolean publish = s.bool("publish-enabled", d.publishEnabled());
    s.rejectUnknownKeys();
    String t = token == null || token.isBlank() ? null : token;
    return build(problems, () -> new AdminConfig(bind, port, t, publish));
  }

  private static @Nullable MetricsConfig metrics(Section s, Problems problems) {
    boolean enabled = s.bool("enabled", true);
    boolean jvm = s.bool("jvm", true);
    Map<String, String> tags = s.stringMap("common-tags");
    s.rejectUnknownKeys();
    return build(problems, () -> new MetricsConfig(enabled, jvm, tags));
  }

  private static @Nullable LoggingConfig logging(Section s, Problems problems) {
    LoggingConfig.Format format =
        s.convert("format", "plain or json", v -> LoggingConfig.Format.valueOf(v.toUpperCase(Locale.ROOT)));
    String level = s.string("level", LoggingConfig.DEFAULT.level());
    s.rejectUnknownKeys();
    return build(problems, () -> new LoggingConfig(format == null ? LoggingConfig.Format.PLAIN : format, level));
  }

  static <T> @Nullable T build(Problems problems, Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (IllegalArgumentException e) {
      problems.add(e);
      return null;
    }
  }

  /** The key path's environment variable name, e.g. {@code RELAY_DELIVERY_RETRY_MAX_ATTEMPTS}. */
  public static String environmentVariable(String keyPath) {
    return Section.envName(keyPath);
  }
}
