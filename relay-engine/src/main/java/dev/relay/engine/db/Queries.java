package dev.relay.engine.db;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs one statement on a pooled connection and always gives the connection back. Parameters
 * bind to {@code $1, $2, ...} in order; pass {@link Null} for a typed SQL null.
 */
public final class Queries {
  private final ConnectionFactory pool;

  public Queries(ConnectionFactory pool) {
    this.pool = pool;
  }

  /** A typed SQL null parameter. */
  public record Null(Class<?> type) {}

  public static Null nullOf(Class<?> type) {
    return new Null(type);
  }

  public <T> Flux<T> query(String sql, Function<Readable, T> mapper, Object... params) {
    return Flux.usingWhen(
        pool.create(),
        c -> Flux.from(bind(c, sql, params).execute()).concatMap(r -> r.map(mapper)),
        Connection::close);
  }

  public <T> Mono<T> one(String sql, Function<Readable, T> mapper, Object... params) {
    return query(sql, mapper, params).next();
  }

  /** Rows changed. */
  public Mono<Long> update(String sql, Object... params) {
    return Flux.usingWhen(
            pool.create(),
            c -> Flux.from(bind(c, sql, params).execute()).concatMap(Result::getRowsUpdated),
            Connection::close)
        .reduce(0L, Long::sum);
  }

  static Statement bind(Connection connection, String sql, Object... params) {
    Statement statement = connection.createStatement(sql);
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      if (p instanceof Null n) {
        statement.bindNull(i, n.type());
      } else {
        statement.bind(i, p);
      }
    }
    return statement;
  }
}
