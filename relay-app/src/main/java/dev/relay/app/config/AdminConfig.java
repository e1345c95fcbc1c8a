package dev.relay.app.config;

import org.jspecify.annotations.Nullable;

/**
 * The HTTP server that serves {@code /metrics}, {@code /health/*} and the admin API.
 *
 * @param bind address to listen on (default {@code 127.0.0.1}; use {@code 0.0.0.0} in a container)
 * @param port TCP port (default 9180; 0 picks a free port)
 * @param token bearer token for {@code /admin}; null disables the admin API (every call is 401)
 * @param publishEnabled whether {@code POST /admin/publish} is served (default false)
 */
public record AdminConfig(String bind, int port, @Nullable String token, boolean publishEnabled) {

  public static final int DEFAULT_PORT = 9180;
  public static final AdminConfig DEFAULT = new AdminConfig("127.0.0.1", DEFAULT_PORT, null, false);

  public AdminConfig {
    if (bind == null || bind.isBlank()) {
      throw new IllegalArgumentException("admin.bind must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("admin.port must be within 0..65535, was " + port);
    }
    if (token != null && token.length() < 16) {
      throw new IllegalArgumentException("admin.token must be at least 16 characters");
    }
  }

  public AdminConfig withPort(int newPort) {
    return new AdminConfig(bind, newPort, token, publishEnabled);
  }

  @Override
  public String toString() {
    return "AdminConfig[bind=" + bind + ", port=" + port + ", token=" + (token == null ? "unset" : "***")
        + ", publishEnabled=" + publishEnabled + "]";
  }
}
