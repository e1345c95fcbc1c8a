package dev.relay.loadtest.engine;

import dev.relay.loadtest.postgres.PostgresServer;
import dev.relay.loadtest.process.ProcStats;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * What a measurement cost the database, counted from Postgres' own statistics: transactions
 * committed in the database (the publishers' and, beside them, a relay's claims and settles), WAL
 * records and bytes written by the whole server, and the machine's busy CPU time. Divided by the
 * events published, it says what each event cost: a relay's work shows up as commits and WAL
 * beyond the publish's own.
 *
 * <p>Postgres flushes a backend's counters at most once a second (and when it ends), so {@link
 * #settled} waits that long before reading the end. Needs PostgreSQL 14 or later (pg_stat_wal); a
 * server without it, or a role that may not read it, gives {@link #NONE}.
 */
record WriteLedger(long commits, long walRecords, long walBytes, long busyNanos, long nanos) {
  static final WriteLedger NONE = new WriteLedger(-1, -1, -1, -1, -1);

  /** The counters now. */
  static WriteLedger read(PostgresServer server) {
    long busy = ProcStats.machineBusyNanos();
    long now = System.nanoTime();
    try (Connection c = server.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), "
            + "w.wal_records, w.wal_bytes FROM pg_stat_wal w")) {
      rs.next();
      return new WriteLedger(rs.getLong(1), rs.getLong(2), rs.getLong(3), busy, now);
    } catch (SQLException e) {
      return NONE;
    }
  }

  /**
   * The counters at the end of a measurement: the machine's CPU time right away, the database's
   * once every backend has flushed what it counted during the measurement.
   */
  static WriteLedger settled(PostgresServer server) throws InterruptedException {
    long busy = ProcStats.machineBusyNanos();
    long now = System.nanoTime();
    Thread.sleep(1_100);
    WriteLedger later = read(server);
    return later == NONE ? NONE : new WriteLedger(later.commits, later.walRecords, later.walBytes, busy, now);
  }

  /** The difference since {@code start}. */
  WriteLedger since(WriteLedger start) {
    if (this == NONE || start == NONE) {
      return NONE;
    }
    return new WriteLedger(commits - start.commits, walRecords - start.walRecords, walBytes - start.walBytes,
        busyNanos < 0 || start.busyNanos < 0 ? -1 : busyNanos - start.busyNanos, nanos - start.nanos);
  }

  /** Sums of differences (several runs of one kind). */
  WriteLedger plus(WriteLedger other) {
    if (this == NONE || other == NONE) {
      return NONE;
    }
    return new WriteLedger(commits + other.commits, walRecords + other.walRecords, walBytes + other.walBytes,
        busyNanos < 0 || other.busyNanos < 0 ? -1 : busyNanos + other.busyNanos, nanos + other.nanos);
  }

  /** "per event: 1.18 commits, 18.9 WAL records, 2,683 WAL bytes; 1.29 cores busy", or "" without counters. */
  String perEvent(long events) {
    if (this == NONE || events <= 0) {
      return "";
    }
    String cores = busyNanos < 0 ? "" : String.format(Locale.ROOT, "; %.2f cores busy", (double) busyNanos / nanos);
    return String.format(Locale.ROOT, "per event: %.2f commits, %.1f WAL records, %,.0f WAL bytes%s",
        (double) commits / events, (double) walRecords / events, (double) walBytes / events, cores);
  }
}
