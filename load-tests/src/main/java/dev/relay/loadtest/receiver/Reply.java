package dev.relay.loadtest.receiver;

/**
 * How the receiver answered one verified request.
 *
 * @param path the request path without the leading slash (the endpoint's name)
 * @param webhookId the event id
 * @param status the HTTP status sent, or {@link #RESET} (connection reset) or {@link #HANG} (never answered)
 */
public record Reply(String path, String webhookId, int status) {
  public static final int RESET = -1;
  public static final int HANG = -2;

  /** A 2xx: the sender must record it delivered. */
  public boolean success() {
    return status / 100 == 2;
  }
}
