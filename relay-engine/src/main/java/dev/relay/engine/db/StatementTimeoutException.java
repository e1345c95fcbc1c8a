package dev.relay.engine.db;

import java.time.Duration;

/** A relay statement did not answer within {@code database.statement-timeout}; its connection was dropped. */
public final class StatementTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StatementTimeoutException(Duration timeout) {
    super("no answer from the database within " + timeout.toMillis()
        + " ms (database.statement-timeout); the connection was dropped");
  }
}
