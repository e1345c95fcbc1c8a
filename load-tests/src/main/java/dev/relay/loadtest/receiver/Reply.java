package dev.relay.loadtest.receiver;

/**
 * How the receiver answered one verified request.
 *
 * @param path the request path without the leading slash (the endpoint's name)
 * @param webhookId the event id
 * @param status the HTTP status sent, or {@link #RESET} (connection reset) or {@link #HANG} (never answered)
 * @param dripped a 200 whose body is sent slowly
 */
public record Reply(String path, String webhookId, int status, boolean dripped) {
  public static final int RESET = -1;
  public static final int HANG = -2;

  /** The answer in a word: the status, {@code 200-drip}, {@code reset} or {@code hang}. */
  public String describe() {
    return status == RESET ? "reset" : status == HANG ? "hang" : dripped ? status + "-drip" : Integer.toString(status);
  }

  /** A 2xx: the sender must record it delivered. */
  public boolean success() {
    return status / 100 == 2;
  }
}
