package dev.relay.loadtest.ceiling;

import dev.relay.engine.db.Sql;
import dev.relay.loadtest.postgres.Identifiers;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Postgres procedures that run the engine's claim and settle statements (text from {@link Sql} at
 * run time, never a copy) in a loop inside the database. This class is the ONLY place in
 * load-tests that knows the statements' parameter lists ({@link #CLAIM_ARGS}, {@link
 * #SETTLE_ARGS}): when the engine's claim or settle gains a parameter, change them here.
 */
public final class ClaimSettleProcedures {
  /**
   * Arguments of {@link Sql#claim()}, as plpgsql expressions: $1 lease ms, $2 lease token, $3 the
   * registered instance claiming, $4/$5/$6 endpoints with their own caps and key cursors (none),
   * $7 default per-endpoint cap, $8 batch size, $9 endpoint cursor (start), $10 targeted endpoints
   * (none: a discovery claim), $11 max payload bytes (the default 256 KiB), $12 claim byte budget
   * (the relay's 8 MiB). {@code tok}, {@code instance}, {@code cap} and {@code batch} are
   * procedure variables.
   */
  static final String CLAIM_ARGS = "60000::bigint, tok, instance, '{}'::text[], '{}'::int[], '{}'::text[], cap, "
      + "batch, ''::text, NULL::text[], 262144, 8388608::bigint";

  /**
   * Arguments of {@link Sql#settle()} settling the claimed {@code ids} as delivered: $1 ids, $2
   * tokens, $3 states, $4 retry delays, $5 status codes, $6 errors, $7 attempts refunded, $8
   * endpoints, $9 endpoint holds, $10 endpoint disables (none), $11 attempt starts (epoch
   * microseconds, now), $12 durations (1 ms), $13 response excerpts (empty, as the load
   * receiver answers), $14 the instance recording the attempts, $15 no auto-disable window (off),
   * $16 its minimum attempts (unused), $17 each attempt's verdict (delivered).
   */
  static final String SETTLE_ARGS = "ids, array_fill(tok, ARRAY[n]), array_fill('delivered'::text, ARRAY[n]), "
      + "array_fill(0::bigint, ARRAY[n]), array_fill(200, ARRAY[n]), array_fill(NULL::text, ARRAY[n]), "
      + "array_fill(0, ARRAY[n]), array_fill(NULL::text, ARRAY[n]), array_fill(NULL::bigint, ARRAY[n]), "
      + "array_fill(NULL::text, ARRAY[n]), "
      + "array_fill((extract(epoch FROM clock_timestamp()) * 1000000)::bigint, ARRAY[n]), array_fill(1, ARRAY[n]), "
      + "array_fill(''::text, ARRAY[n]), instance, NULL::bigint, 20, array_fill(true, ARRAY[n])";

  /** Claims up to {@code batch} rows (each endpoint capped at {@code cap}), commits, settles them, commits. */
  private static final String CLAIM_SETTLE = """
          tok := gen_random_uuid();
          ids := '{}';
          -- The statements are themselves WITH queries that write: run them as they are.
          FOR r IN EXECUTE claim_sql USING %s LOOP
            ids := ids || r.id;
          END LOOP;
          n := coalesce(cardinality(ids), 0);
          COMMIT;
          IF n > 0 THEN
            EXECUTE settle_sql USING %s;
            COMMIT;
          END IF;
      """.formatted(CLAIM_ARGS, SETTLE_ARGS);

  private static final String DRAIN = """
      CREATE OR REPLACE PROCEDURE %1$s.load_ceiling_drain(claim_sql text, settle_sql text, instance uuid, cap int,
                                                        batch int, INOUT total bigint, INOUT seconds double precision)
      LANGUAGE plpgsql AS $$
      DECLARE
        ids bigint[];
        tok uuid;
        n int;
        r record;
        t0 timestamptz := clock_timestamp();
      BEGIN
        total := 0;
        LOOP
      %2$s
          EXIT WHEN n = 0;
          total := total + n;
        END LOOP;
        seconds := extract(epoch FROM clock_timestamp() - t0);
      END $$""";

  private static final String ROUND_TRIPS = """
      CREATE OR REPLACE PROCEDURE %1$s.load_ceiling_round_trips(publish_sql text, claim_sql text, settle_sql text,
                                                              instance uuid, rounds int, payload text,
                                                              INOUT micros double precision[])
      LANGUAGE plpgsql AS $$
      DECLARE
        ids bigint[];
        tok uuid;
        n int;
        r record;
        cap int := 1;
        batch int := 1;
        t timestamptz;
      BEGIN
        micros := '{}';
        FOR i IN 1..rounds LOOP
          t := clock_timestamp();
          -- $7 supersede key, $8 tenant: none.
          EXECUTE publish_sql USING 'load.event', payload::jsonb, NULL::text, 'floor-' || i, NULL::text, NULL::text,
                                    NULL::text, NULL::text;
          COMMIT;
      %2$s
          IF n <> 1 THEN
            RAISE EXCEPTION 'round trip %% claimed %% rows', i, n;
          END IF;
          micros := micros || (extract(epoch FROM clock_timestamp() - t) * 1e6)::double precision;
        END LOOP;
      END $$""";

  private ClaimSettleProcedures() {}

  /**
   * Claims and settles every due row of the schema in a loop, {@code batch} rows per claim and at
   * most {@code cap} per endpoint; the rows settled and the seconds it took.
   */
  public static Drained drain(Connection c, Sql sql, UUID instance, int cap, int batch) throws SQLException {
    String schema = install(c, sql, DRAIN);
    try (PreparedStatement call = c.prepareStatement("CALL " + schema + ".load_ceiling_drain(?, ?, ?, ?, ?, 0, 0)")) {
      call.setString(1, sql.claim());
      call.setString(2, sql.settle());
      call.setObject(3, instance);
      call.setInt(4, cap);
      call.setInt(5, batch);
      try (ResultSet rs = call.executeQuery()) {
        rs.next();
        return new Drained(rs.getLong(1), rs.getDouble(2));
      }
    }
  }

  /**
   * {@code rounds} sequential publish → commit → claim → commit → settle → commit round trips of
   * one row each, inside Postgres; each one's duration in microseconds.
   */
  public static double[] roundTrips(Connection c, Sql sql, UUID instance, int rounds, String payload)
      throws SQLException {
    String schema = install(c, sql, ROUND_TRIPS);
    try (PreparedStatement call = c.prepareStatement(
        "CALL " + schema + ".load_ceiling_round_trips(?, ?, ?, ?, ?, ?, NULL)")) {
      call.setString(1, sql.publish());
      call.setString(2, sql.claim());
      call.setString(3, sql.settle());
      call.setObject(4, instance);
      call.setInt(5, rounds);
      call.setString(6, payload);
      try (ResultSet rs = call.executeQuery()) {
        rs.next();
        Array array = rs.getArray(1);
        Double[] values = (Double[]) array.getArray();
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
          out[i] = values[i];
        }
        return out;
      }
    }
  }

  /** Creates (or replaces) a procedure from its template in the statements' schema; the schema. */
  private static String install(Connection c, Sql sql, String template) throws SQLException {
    String schema = Identifiers.checked(sql.schema());
    try (Statement st = c.createStatement()) {
      st.execute(template.formatted(schema, CLAIM_SETTLE));
    }
    return schema;
  }

  /** Rows settled by {@link #drain} and how long it took. */
  public record Drained(long rows, double seconds) {
    public double perSecond() {
      return seconds <= 0 ? 0 : rows / seconds;
    }
  }
}
