package dev.relay.app;

import dev.relay.app.config.ConfigLoader;
import dev.relay.app.config.RelayConfig;
import dev.relay.engine.config.DatabaseConfig;
import java.util.Map;

/** Relay configurations for tests, written as YAML so they go through the real loader. */
public final class TestConfigs {
  public static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  public static final String TOKEN = "test-admin-token-0123456789";

  private TestConfigs() {}

  public static String database(DatabaseConfig db) {
    return """
        database:
          url: %s
          user: %s
          password: "%s"
          schema: %s
          pool-size: 6
        """.formatted(db.url(), db.user(), db.password() == null ? "" : db.password(), db.schema());
  }

  /** Fast retries and polling so tests finish in seconds. */
  public static final String FAST_DELIVERY = """
      delivery:
        attempt-timeout: 5s
        lease: 20s
        poll-interval: 500ms
        poll-interval-without-notify: 200ms
        gauge-refresh: 500ms
        retry: {initial: 200ms, factor: 2, cap: 1s, jitter: 0, max-attempts: 2}
      admin:
        bind: 127.0.0.1
        port: 0
        token: %s
        publish-enabled: true
      shutdown:
        grace-period: 5s
      """.formatted(TOKEN);

  public static RelayConfig parse(String yaml) {
    return ConfigLoader.parse(yaml, "test", Map.of());
  }
}
