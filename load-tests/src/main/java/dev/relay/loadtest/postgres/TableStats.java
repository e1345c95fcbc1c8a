package dev.relay.loadtest.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads live and dead tuples and total sizes (with indexes and TOAST) of a schema's tables. */
public final class TableStats {
  // pg_stat_user_tables is a view over the statistics collector; counts lag by up to a second.
  private static final String TABLES = """
      SELECT relname, n_live_tup, n_dead_tup, pg_total_relation_size(relid)
        FROM pg_stat_user_tables
       WHERE schemaname = ?
       ORDER BY relname
      """;
  private static final String PENDING = "SELECT count(*) FROM %s.delivery WHERE state = 'pending'";

  private TableStats() {}

  public static List<TableStat> read(Connection c, String schema) throws SQLException {
    List<TableStat> out = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement(TABLES)) {
      st.setString(1, schema);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(new TableStat(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
        }
      }
    }
    return out;
  }

  /** Pending deliveries: the backlog. Index: delivery_due_idx (partial, pending rows only). */
  public static long backlog(Connection c, String schema) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(PENDING.formatted(Identifiers.checked(schema)));
        ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
