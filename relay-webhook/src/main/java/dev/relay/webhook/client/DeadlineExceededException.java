package dev.relay.webhook.client;

import java.time.Duration;

/** One attempt did not complete (connect, send, status, body) within the attempt deadline. */
public final class DeadlineExceededException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final Duration deadline;

  DeadlineExceededException(Duration deadline) {
    super("no complete response within the attempt deadline of " + deadline.toMillis() + " ms",
        null, false, false);
    this.deadline = deadline;
  }

  public Duration deadline() {
    return deadline;
  }
}
