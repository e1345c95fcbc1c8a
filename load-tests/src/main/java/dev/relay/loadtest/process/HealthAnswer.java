package dev.relay.loadtest.process;

/**
 * What a relay's health endpoint said.
 *
 * @param status the HTTP status, or -1 if the relay did not answer
 * @param body the JSON body (it names each check and why it fails), or the connection error
 */
public record HealthAnswer(int status, String body) {
  public boolean ok() {
    return status == 200;
  }

  public boolean answered() {
    return status > 0;
  }
}
