package dev.relay.app.http;

/** The named resource does not exist: answered with 404. */
public final class NotFound extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NotFound(String message) {
    super(message, null, false, false);
  }
}
