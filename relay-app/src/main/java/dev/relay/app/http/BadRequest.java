package dev.relay.app.http;

/** A client mistake: answered with 400 and the message as {@code {"error": ...}}. */
public final class BadRequest extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadRequest(String message) {
    super(message, null, false, false);
  }
}
