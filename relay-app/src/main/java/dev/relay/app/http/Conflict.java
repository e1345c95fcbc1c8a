package dev.relay.app.http;

/** The call cannot be done in the resource's current state (e.g. the name is taken): answered with 409. */
public final class Conflict extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public Conflict(String message) {
    super(message, null, false, false);
  }
}
