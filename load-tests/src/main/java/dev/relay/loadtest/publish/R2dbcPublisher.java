package dev.relay.loadtest.publish;

import dev.relay.loadtest.postgres.PostgresAddress;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** R2DBC over a bounded pool; each publish takes a connection for one autocommitted statement. */
final class R2dbcPublisher implements Publisher {
  private final ConnectionPool pool;
  private final PublishStatements sql;
  private final int connections;

  R2dbcPublisher(PostgresAddress address, String schema, int connections) {
    this.sql = new PublishStatements(schema);
    this.connections = connections;
    PostgresqlConnectionConfiguration.Builder b = PostgresqlConnectionConfiguration.builder()
        .host(address.host()).port(address.port()).database(address.database()).username(address.user())
        .applicationName("relay-load-publisher");
    if (!address.password().isEmpty()) {
      b.password(address.password());
    }
    this.pool = new ConnectionPool(ConnectionPoolConfiguration.builder(new PostgresqlConnectionFactory(b.build()))
        .initialSize(1).maxSize(connections).maxAcquireTime(Duration.ofSeconds(30)).build());
  }

  @Override
  public Mono<Void> publish(List<OutboundEvent> events) {
    return Flux.usingWhen(pool.create(), c -> Flux.from(statement(c, events).execute())
            .concatMap(r -> r.map((row, meta) -> 1)), Connection::close)
        .then();
  }

  private Statement statement(Connection c, List<OutboundEvent> events) {
    if (events.size() > 1) {
      return c.createStatement(sql.batch()).bind(0, PublishStatements.EVENT_TYPE)
          .bind(1, PublishStatements.batchJson(events));
    }
    OutboundEvent e = events.get(0);
    Statement st = c.createStatement(sql.single()).bind(0, PublishStatements.EVENT_TYPE).bind(1, e.payload())
        .bind(2, e.id());
    return e.endpoint() == null ? st.bindNull(3, String.class) : st.bind(3, e.endpoint());
  }

  @Override
  public String describe() {
    return "r2dbc, " + connections + " connections";
  }

  @Override
  public void close() {
    pool.disposeLater().block(Duration.ofSeconds(10));
  }
}
