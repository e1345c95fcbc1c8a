package dev.relay.engine.db;

import dev.relay.engine.time.Deadlines;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.Wrapped;
import java.time.Duration;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs statements on pooled connections, each within the statement timeout, and always gives the
 * connection back. A connection whose statement failed, timed out or was cancelled is closed
 * instead of reused: it may be frozen (a network that stopped answering would otherwise hang the
 * next statement too, until TCP gives up minutes later) or in the middle of the protocol.
 * Parameters bind to {@code $1, $2, ...} in order; pass {@link Null} for a typed SQL null.
 */
public final class Queries {
  private static final Logger log = LoggerFactory.getLogger(Queries.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

  private final ConnectionFactory pool;
  private final Duration timeout;

  public Queries(ConnectionFactory pool, Duration timeout) {
    this.pool = pool;
    this.timeout = timeout;
  }

  /**
   * {@code work} on a pooled connection, bounded by the statement timeout from asking the pool
   * for a connection (a new one through a dead network would hang in its handshake) to the last
   * row. On timeout the acquisition or the statement is cancelled and the connection dropped.
   */
  public <T> Flux<T> within(Function<Connection, ? extends Publisher<T>> work) {
    return Deadlines.within(
        Flux.usingWhen(pool.create(), work, Connection::close, (c, error) -> discard(c), Queries::discard),
        timeout, Deadlines.wheel(), () -> new StatementTimeoutException(timeout));
  }

  /** Closes the connection under the pool's wrapper, so the pool drops it, then hands it back. */
  private static Mono<Void> discard(Connection pooled) {
    Connection real = pooled instanceof Wrapped<?> w && w.unwrap() instanceof Connection c ? c : pooled;
    return Mono.from(real.close())
        .timeout(CLOSE_TIMEOUT)
        .onErrorResume(e -> Mono.empty())
        .then(Mono.from(pooled.close()))
        .onErrorResume(e -> {
          log.debug("Dropping a broken connection: {}", e.toString());
          return Mono.empty();
        });
  }

  /** A typed SQL null parameter. */
  public record Null(Class<?> type) {}

  public static Null nullOf(Class<?> type) {
    return new Null(type);
  }

  public <T> Flux<T> query(String sql, Function<Readable, T> mapper, Object... params) {
    return within(c -> Flux.from(bind(c, sql, params).execute()).concatMap(r -> r.map(mapper)));
  }

  /**
   * The first row, or empty. Reads the result to its end rather than cancelling after the first
   * row: {@link #within} closes a connection whose statement was cancelled, so {@code next()} here
   * once reconnected for every heartbeat, retry-timer probe and gauge (a new backend, and the
   * claim planned again on it, on the delivery path).
   */
  public <T> Mono<T> one(String sql, Function<Readable, T> mapper, Object... params) {
    return first(query(sql, mapper, params));
  }

  /** The first element of rows from {@link #query}, read to the end so the connection is reused. */
  public static <T> Mono<T> first(Flux<T> rows) {
    return rows.reduce((first, later) -> first);
  }

  /** Rows changed. */
  public Mono<Long> update(String sql, Object... params) {
    return within(c -> Flux.from(bind(c, sql, params).execute()).concatMap(Result::getRowsUpdated))
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
