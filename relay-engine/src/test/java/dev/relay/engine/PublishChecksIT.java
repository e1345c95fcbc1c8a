package dev.relay.engine;

import static dev.relay.engine.Relays.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.db.Database;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * V13 rewrote the event id and trace context checks without bounded regex repetitions, which
 * PostgreSQL runs slowly. The new checks must accept and refuse exactly what the old ones did,
 * with the same messages: each is compared with the old one (V4's function, read from its
 * migration; V6's event id expression, kept here) over valid values and their mutations at every
 * position (a character replaced by, or inserted as, one of every kind the rules tell apart; two
 * neighbours swapped, which moves a separator), and at every length limit.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublishChecksIT {
  /** Characters the rules tell apart: hex digits, other letters and digits, key punctuation, separators, whitespace, control, non-ASCII. */
  private static final String CHARS = "SELECT unnest(ARRAY['0', '9', 'a', 'f', 'g', 'z', 'A', 'Z', '-', '_', '*', '/', '@', '=', ',', "
      + "' ', E'\\t', E'\\n', E'\\x01', '!', '~', '\"', 'é', '']) AS c";

  /** The migration that last defined trace_context_problem before V13. */
  private static final String V4 = "dev/relay/engine/db/migration/V4__trace_context.sql";

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
      st.execute(oldTraceContextProblem());
      try (ResultSet rs = st.executeQuery(db.resolve(sql))) {
        rs.next();
        return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
      }
    }
  }

  /** V4's trace_context_problem, read from the migration, as pg_temp.old_trace_context_problem. */
  private static String oldTraceContextProblem() {
    try (InputStream in = PublishChecksIT.class.getClassLoader().getResourceAsStream(V4)) {
      String v4 = new String(Objects.requireNonNull(in, V4).readAllBytes(), StandardCharsets.UTF_8);
      int start = v4.indexOf("CREATE FUNCTION ${schema}.trace_context_problem(");
      int end = v4.indexOf("$fn$;", start);
      assertThat(start).as("trace_context_problem in " + V4).isNotNegative();
      return v4.substring(start, end + "$fn$".length())
          .replace("${schema}.trace_context_problem(", "pg_temp.old_trace_context_problem(");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
