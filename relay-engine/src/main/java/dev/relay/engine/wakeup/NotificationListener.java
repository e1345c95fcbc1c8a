package dev.relay.engine.wakeup;

import dev.relay.engine.db.Database;
import io.r2dbc.postgresql.api.Notification;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Keeps one dedicated connection LISTENing on the wakeup channel and reports notifications.
 *
 * <p>Pitfall (r2dbc-postgresql): {@code getNotifications()} drops notifications nobody has
 * subscribed to, and ends when the connection dies. So it subscribes before it LISTENs, treats
 * the end of the stream as a failure, and reconnects with capped backoff. After every (re)connect
 * it reports {@code onConnected}, which the engine answers with a catch-up claim: whatever was
 * notified while the connection was down is found that way.
 */
public final class NotificationListener {
  private static final Logger log = LoggerFactory.getLogger(NotificationListener.class);

  private final Database database;
  private final String channel;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private volatile boolean connected;

  public NotificationListener(Database database, Duration minBackoff, Duration maxBackoff) {
    this.database = database;
    this.channel = database.sql().wakeupChannel();
    this.minBackoff = minBackoff;
    this.maxBackoff = maxBackoff;
  }

  public boolean connected() {
    return connected;
  }

  public String channel() {
    return channel;
  }

  /**
   * Starts listening until disposed. {@code onNotification} gets each payload; {@code
   * onConnected} is composed in after each successful LISTEN (it may wait for a notification,
   * which keeps arriving meanwhile); {@code onDisconnected} runs after each loss.
   */
  public Disposable start(Consumer<String> onNotification, Supplier<Mono<Void>> onConnected,
      Runnable onDisconnected) {
    return session(onNotification, onConnected)
        .doOnError(e -> {
          if (connected) {
            connected = false;
            log.warn("LISTEN connection lost ({}); reconnecting, polling meanwhile", e.toString());
          }
          onDisconnected.run();
        })
        // Reconnect for as long as the relay runs: an outage of any length must end in a
        // reconnect, and polling keeps deliveries flowing meanwhile. The backoff is capped, and
        // starts over once a session has delivered a notification (every reconnect's self-test
        // sends one): otherwise, after a few outages, every later reconnect waited the cap.
        .retryWhen(Retry.backoff(Long.MAX_VALUE, minBackoff).maxBackoff(maxBackoff).jitter(0.5)
            .transientErrors(true)
            .doBeforeRetry(s -> log.debug("LISTEN reconnect attempt {}", s.totalRetries() + 1)))
        .subscribe(
            ignored -> {},
            e -> log.error("LISTEN loop stopped unexpectedly", e));
  }

  private Flux<Notification> session(Consumer<String> onNotification, Supplier<Mono<Void>> onConnected) {
    return Flux.usingWhen(
        database.dedicatedConnection(),
        connection -> listen(connection, onConnected)
            .doOnNext(n -> onNotification.accept(n.getParameter() == null ? "" : n.getParameter())),
        PostgresqlConnection::close,
        (connection, error) -> connection.close().onErrorResume(e -> Mono.empty()),
        PostgresqlConnection::close);
  }

  private Flux<Notification> listen(PostgresqlConnection connection, Supplier<Mono<Void>> onConnected) {
    Mono<Notification> listen = connection
        .createStatement("LISTEN \"" + channel + "\"")
        .execute()
        .flatMap(r -> r.getRowsUpdated())
        .then(Mono.fromRunnable(() -> {
          connected = true;
          log.info("LISTEN on {} established", channel);
        }))
        .then(Mono.defer(onConnected))
        .then(Mono.empty());
    // Subscribe to notifications first, then LISTEN: merge subscribes in order.
    return Flux.merge(connection.getNotifications(), listen)
        .concatWith(Mono.error(() -> new IllegalStateException("LISTEN connection closed")));
  }
}
