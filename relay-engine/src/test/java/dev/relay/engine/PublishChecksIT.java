package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.db.Database;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * V13 rewrote the event id and trace context checks without bounded regex repetitions, which
 * PostgreSQL runs slowly. The new checks must accept and refuse exactly what the old ones did,
 * with the same messages: each is compared with the old expression (kept here) over valid values
 * and their mutations at every position (a character replaced by, or inserted as, one of every kind
 * the rules tell apart; two neighbours swapped, which moves a separator), and at every length
 * limit.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublishChecksIT {
  /** Characters the rules tell apart: hex digits, other letters and digits, key punctuation, separators, whitespace, control, non-ASCII. */
  private static final String CHARS = "SELECT unnest(ARRAY['0', '9', 'a', 'f', 'g', 'z', 'A', 'Z', '-', '_', '*', '/', '@', '=', ',', "
      + "' ', E'\\t', E'\\n', E'\\x01', '!', '~', '\"', 'é', '']) AS c";

  /** V4's trace_context_problem, as it was. */
  private static final String OLD_TRACE_CONTEXT_PROBLEM = """
      CREATE FUNCTION pg_temp.old_trace_context_problem(p_traceparent text, p_tracestate text)
      RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
          SELECT CASE
              WHEN p_traceparent IS NULL
                  THEN CASE WHEN p_tracestate IS NOT NULL THEN 'tracestate:tracestate given without a traceparent' END
              WHEN length(p_traceparent) > 255
                   OR p_traceparent !~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-[!-~]*)?$'
                   OR left(p_traceparent, 2) = 'ff'
                   OR (left(p_traceparent, 2) = '00' AND length(p_traceparent) <> 55)
                  THEN 'traceparent:traceparent is not a W3C traceparent (00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>), was '
                       || left(regexp_replace(p_traceparent, '[^ -~]', '?', 'g'), 60)
              WHEN substr(p_traceparent, 4, 32) = repeat('0', 32)
                  THEN 'traceparent:traceparent has an all-zero trace id'
              WHEN substr(p_traceparent, 37, 16) = repeat('0', 16)
                  THEN 'traceparent:traceparent has an all-zero parent id'
              WHEN p_tracestate IS NOT NULL AND (
                       length(p_tracestate) > 512
                       OR (SELECT count(*) > 32
                                  OR bool_or(NOT (m ~ '^[ \\t]*$' OR m ~ ('^[ \\t]*([a-z0-9][_0-9a-z*/-]{0,255}'
                                      || '|[a-z0-9][_0-9a-z*/-]{0,240}@[a-z][_0-9a-z*/-]{0,13})'
                                      || '=(?:[ -+]|[--<]|[>-~]){0,255}(?:[!-+]|[--<]|[>-~])[ \\t]*$')))
                             FROM unnest(string_to_array(p_tracestate, ',')) AS t(m)))
                  THEN 'tracestate:tracestate is not a W3C tracestate (at most 32 key=value members, 512 characters)'
          END
      $fn$""";

  private final TestDatabase db;
  private Database database;

  PublishChecksIT(TestDatabase db) {
    this.db = db;
  }

  @BeforeAll
  void migrate() {
    database = Relays.migrated(db);
  }

  @AfterAll
  void close() {
    database.close().block(WAIT);
  }

  @Test
  void eventIdsAreCheckedAsBefore() throws SQLException {
    String ids = "WITH chars AS (" + CHARS + "), ids AS ("
        + " SELECT repeat('e', n) AS e FROM generate_series(0, 257) n"
        + " UNION SELECT overlay(b PLACING c FROM i FOR 1) FROM (VALUES ('order-42'), (repeat('x', 255))) v(b), chars,"
        + "   generate_series(1, 9) i"
        + " UNION SELECT b || c FROM (VALUES ('order-42'), (repeat('x', 254)), (repeat('x', 255))) v(b), chars"
        + " UNION SELECT c FROM chars"
        + " UNION SELECT chr(n) FROM generate_series(1, 300) n)"
        + " SELECT count(*), count(*) FILTER (WHERE old IS NULL),"
        + "        count(*) FILTER (WHERE old IS DISTINCT FROM new)"
        + "   FROM (SELECT e, {schema}.publish_problem('t', '{}', 1000, NULL, e, 'application/json') AS new,"
        + "                CASE WHEN e !~ '^[!-~]{1,255}$' THEN '22023:event_id must be 1-255 printable ASCII characters "
        + "without spaces, was ' || left(regexp_replace(e, '[[:cntrl:]]', '?', 'g'), 80) END AS old"
        + "           FROM ids) x";
    long[] r = counts(ids);
    assertThat(r[1]).as("valid ids in the corpus").isGreaterThan(100);
    assertThat(r[0] - r[1]).as("invalid ids in the corpus").isGreaterThan(50);
    assertThat(r[2]).as("ids judged differently from before").isZero();
  }

  @Test
  void traceparentsAreCheckedAsBefore() throws SQLException {
    String parents = "WITH chars AS (" + CHARS + "),"
        + " base(b) AS (VALUES ('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),"
        + "   ('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future~!'),"
        + "   ('cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-'),"
        + "   ('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),"
        + "   ('00-00000000000000000000000000000000-00f067aa0ba902b7-01'),"
        + "   ('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'),"
        + "   ('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-' || repeat('x', 200))),"
        + " parents AS ("
        + " SELECT b AS p FROM base"
        + " UNION SELECT overlay(b PLACING c FROM i FOR 1) FROM base, chars, generate_series(1, 64) i"
        + " UNION SELECT overlay(b PLACING c FROM i FOR 0) FROM base, chars, generate_series(1, 64) i"
        + " UNION SELECT overlay(b PLACING substr(b, i + 1, 1) || substr(b, i, 1) FROM i FOR 2) FROM base,"
        + "   generate_series(1, 64) i"
        + " UNION SELECT left(b, i) FROM base, generate_series(0, 64) i"
        + " UNION SELECT b || c FROM base, chars)"
        + " SELECT count(*), count(*) FILTER (WHERE old IS NULL), count(*) FILTER (WHERE old IS DISTINCT FROM new)"
        + "   FROM (SELECT pg_temp.old_trace_context_problem(p, NULL) AS old,"
        + "                {schema}.trace_context_problem(p, NULL) AS new FROM parents) x";
    long[] r = counts(parents);
    assertThat(r[1]).as("valid traceparents in the corpus").isGreaterThan(100);
    assertThat(r[0] - r[1]).as("invalid traceparents in the corpus").isGreaterThan(1000);
    assertThat(r[2]).as("traceparents judged differently from before").isZero();
  }

  @Test
  void tracestatesAreCheckedAsBefore() throws SQLException {
    String states = "WITH"
        + " keys(k) AS (SELECT unnest(ARRAY['a', 'z9', 'a_b-c*d/e', 'A', '_a', '9', repeat('k', 256), repeat('k', 257),"
        + "   'a@b', 'a@', '@b', 'a@9', 'a@b@c', repeat('t', 241) || '@' || repeat('s', 14), repeat('t', 242) || '@s',"
        + "   't@' || repeat('s', 14), 't@' || repeat('s', 15), 'ab cd', 'a=b', '', ' a', E'\\ta', 'é'])),"
        + " vals(v) AS (SELECT unnest(ARRAY['v', '0', 'a b', 'a ', ' a', ' ', '', 'x=y', repeat('v', 256), repeat('v', 257),"
        + "   '~!', 'é', E'a\\tb', '\"q\"', repeat('v', 255) || ' ', 'a=', E'a\\n'])),"
        + " pads(p) AS (SELECT unnest(ARRAY['', ' ', E'\\t', E' \\t '])),"
        + " members(m) AS (SELECT p1.p || k || '=' || v || p2.p FROM keys, vals, pads p1, pads p2"
        + "   UNION SELECT unnest(ARRAY['', ' ', E'\\t', '=', 'a', 'a==b', 'a=b=c', '=b', 'noequals'])),"
        + " states(s) AS (SELECT m FROM members"
        + "   UNION SELECT m || ',' || m || ',k=v' FROM members"
        + "   UNION SELECT string_agg('k' || g || '=v', ',') FROM generate_series(1, 32) g"
        + "   UNION SELECT string_agg('k' || g || '=v', ',') FROM generate_series(1, 33) g"
        + "   UNION SELECT 'k=' || repeat('v', 256) || ',' || repeat('k', 253) || '=v'"
        + "   UNION SELECT 'k=' || repeat('v', 256) || ',' || repeat('k', 254) || '=v')"
        + " SELECT count(*), count(*) FILTER (WHERE old IS NULL), count(*) FILTER (WHERE old IS DISTINCT FROM new)"
        + "   FROM (SELECT pg_temp.old_trace_context_problem(p, s) AS old, {schema}.trace_context_problem(p, s) AS new"
        + "           FROM states, (VALUES ('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')) t(p)) x";
    long[] r = counts(states);
    assertThat(r[1]).as("valid tracestates in the corpus").isGreaterThan(1000);
    assertThat(r[0] - r[1]).as("invalid tracestates in the corpus").isGreaterThan(1000);
    assertThat(r[2]).as("tracestates judged differently from before").isZero();
  }

  /** The corpus size, how many the old check accepted, how many the two checks judged differently. */
  private long[] counts(String sql) throws SQLException {
    try (Connection c = db.jdbc(); Statement st = c.createStatement()) {
      st.execute(OLD_TRACE_CONTEXT_PROBLEM);
      try (ResultSet rs = st.executeQuery(db.resolve(sql))) {
        rs.next();
        return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
      }
    }
  }
}
