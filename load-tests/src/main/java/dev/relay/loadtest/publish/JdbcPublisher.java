package dev.relay.loadtest.publish;

import dev.relay.loadtest.postgres.PostgresAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** JDBC, autocommit: a fixed set of connections, each used by one publishing thread at a time. */
final class JdbcPublisher implements Publisher {
  private final BlockingQueue<Connection> idle;
  private final Scheduler threads;
  private final PublishStatements sql;
  private final int connections;

  JdbcPublisher(PostgresAddress address, String schema, int connections) {
    this.sql = new PublishStatements(schema);
    this.connections = connections;
    this.idle = new ArrayBlockingQueue<>(connections);
    this.threads = Schedulers.newBoundedElastic(connections, 10_000, "publish-jdbc", 60, true);
    try {
      for (int i = 0; i < connections; i++) {
        idle.add(address.connect());
      }
    } catch (SQLException e) {
      close();
      throw new IllegalStateException("cannot connect the publisher to " + address + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Mono<Void> publish(List<OutboundEvent> events) {
    return Mono.<Void>fromRunnable(() -> run(events)).subscribeOn(threads);
  }

  private void run(List<OutboundEvent> events) {
    Connection c;
    try {
      c = idle.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing", e);
    }
    try {
      if (events.size() == 1) {
        single(c, events.get(0));
      } else {
        batch(c, events);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("publish failed: " + e.getMessage(), e);
    } finally {
      idle.add(c);
    }
  }

  private void single(Connection c, OutboundEvent e) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(PublishStatements.jdbc(sql.single()))) {
      st.setString(1, PublishStatements.EVENT_TYPE);
      st.setString(2, e.payload());
      st.setString(3, e.id());
      if (e.endpoint() == null) {
        st.setNull(4, Types.VARCHAR);
      } else {
        st.setString(4, e.endpoint());
      }
      st.execute();
    }
  }

  private void batch(Connection c, List<OutboundEvent> events) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(PublishStatements.jdbc(sql.batch()))) {
      st.setString(1, PublishStatements.EVENT_TYPE);
      st.setString(2, PublishStatements.batchJson(events));
      st.execute();
    }
  }

  @Override
  public String describe() {
    return "jdbc, " + connections + " connections";
  }

  @Override
  public void close() {
    threads.dispose();
    Connection c;
    while ((c = idle.poll()) != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing on the way out; nothing to do
      }
    }
  }
}
