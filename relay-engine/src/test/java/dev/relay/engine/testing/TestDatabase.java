package dev.relay.engine.testing;

import dev.relay.engine.config.DatabaseConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A fresh schema on the shared test Postgres, plus plain JDBC helpers for arranging and asserting
 * (tests may block; production code may not).
 */
public final class TestDatabase {
  private final PostgresServer server;
  private final String schema;

  TestDatabase(PostgresServer server, String schema) {
    this.server = server;
    this.schema = schema;
  }

  public String schema() {
    return schema;
  }

  public PostgresServer server() {
    return server;
  }

  public DatabaseConfig config() {
    return config(10);
  }

  public DatabaseConfig config(int poolSize) {
    return server.config(schema, poolSize);
  }

  public Connection jdbc() throws SQLException {
    return DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
  }

  /** Runs one statement; {@code {schema}} in the SQL is replaced by this database's schema. */
  public int execute(String sql, Object... params) {
    try (Connection c = jdbc(); PreparedStatement ps = c.prepareStatement(resolve(sql))) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.execute();
      return Math.max(ps.getUpdateCount(), 0);
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage() + " in: " + sql, e);
    }
  }

  /** The first column of the first row, or null. */
  public Object scalar(String sql, Object... params) {
    List<List<Object>> rows = rows(sql, params);
    return rows.isEmpty() ? null : rows.get(0).get(0);
  }

  public long count(String sql, Object... params) {
    return ((Number) scalar(sql, params)).longValue();
  }

  public List<List<Object>> rows(String sql, Object... params) {
    try (Connection c = jdbc(); PreparedStatement ps = c.prepareStatement(resolve(sql))) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<List<Object>> rows = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<Object> row = new ArrayList<>(n);
          for (int i = 1; i <= n; i++) {
            row.add(rs.getObject(i));
          }
          rows.add(row);
        }
        return rows;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage() + " in: " + sql, e);
    }
  }

  public String resolve(String sql) {
    return sql.replace("{schema}", schema);
  }
}
