package dev.relay.loadtest.footprint;

import dev.relay.loadtest.postgres.Identifiers;

/** The SQL of the runtime-endpoints run, as applications and operators would write it. */
final class RuntimeEndpointSql {
  private final String create;
  private final String unsealed;
  private final String publishToOne;
  private final String publishRoundRobin;

  RuntimeEndpointSql(String schema) {
    String s = Identifiers.checked(schema);
    // $1 URL prefix, $2 secret, $3..$4 the numbers: endpoint t-i posts to <prefix>i. Each call
    // looks its name up by the endpoint primary key.
    this.create = "SELECT count(" + s + ".create_endpoint('t-' || i, ? || i, '{}', 'tenant-' || (i % 1000), '{}', ?)) "
        + "FROM generate_series(?::int, ?::int) i";
    // Partial index endpoint_unsealed_idx (secret_plain IS NOT NULL OR previous_secret_plain IS NOT NULL).
    this.unsealed = "SELECT count(*) FROM " + s + ".endpoint WHERE secret_plain IS NOT NULL";
    String publish = "SELECT count(" + s + ".publish('load.event', jsonb_build_object('id', ? || g, "
        + "'publishedAtNanos', ?::bigint, 'data', repeat('x', 900)), event_id => ? || g, endpoint => %s)) "
        + "FROM generate_series(?::bigint, ?::bigint) g";
    // $1 id prefix, $2 publish nanos, $3 id prefix, $4 endpoint, $5..$6 sequence numbers.
    this.publishToOne = publish.formatted("?");
    // $1 id prefix, $2 publish nanos, $3 id prefix, $4 active endpoints n, $5..$6: event g goes to t-(g % n + 1).
    this.publishRoundRobin = publish.formatted("'t-' || (g % ?::int + 1)");
  }

  String create() {
    return create;
  }

  String unsealed() {
    return unsealed;
  }

  String publishToOne() {
    return publishToOne;
  }

  String publishRoundRobin() {
    return publishRoundRobin;
  }
}
