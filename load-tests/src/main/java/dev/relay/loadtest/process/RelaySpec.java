package dev.relay.loadtest.process;

import dev.relay.loadtest.postgres.PostgresAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What every relay of a run shares: the packaged jar and JVM options, the database and schema,
 * the endpoints (name and URL; all signed with one secret), and configuration overrides given as
 * key paths ({@code delivery.max-in-flight} = {@code 1000}). Everything not overridden stays at
 * the configuration defaults.
 *
 * @param urlOf the URL an endpoint of this name posts to
 */
public record RelaySpec(Path jar, List<String> jvmArgs, PostgresAddress database, String schema,
    List<String> endpoints, UnaryOperator<String> urlOf, String secret, Map<String, String> overrides,
    String adminToken) {

  public RelaySpec {
    jvmArgs = List.copyOf(jvmArgs);
    endpoints = List.copyOf(endpoints);
    overrides = Map.copyOf(overrides);
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("a relay needs at least one endpoint");
    }
    if (adminToken.length() < 16) {
      throw new IllegalArgumentException("admin token must be at least 16 characters");
    }
  }

  /** The same spec with {@code more} overrides; where both set a key, {@code more} wins. */
  public RelaySpec withOverrides(Map<String, String> more) {
    Map<String, String> merged = new java.util.LinkedHashMap<>(overrides);
    merged.putAll(more);
    return new RelaySpec(jar, jvmArgs, database, schema, endpoints, urlOf, secret, merged, adminToken);
  }

  /** The same spec reaching Postgres elsewhere (through a proxy, as another user). */
  public RelaySpec withDatabase(PostgresAddress other) {
    return new RelaySpec(jar, jvmArgs, other, schema, endpoints, urlOf, secret, overrides, adminToken);
  }

  /** The same spec posting endpoint names to other URLs. */
  public RelaySpec withUrls(UnaryOperator<String> other) {
    return new RelaySpec(jar, jvmArgs, database, schema, endpoints, other, secret, overrides, adminToken);
  }
}
