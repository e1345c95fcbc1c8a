package dev.relay.engine;

/**
 * Whether the engine can do its job, for readiness and liveness checks.
 *
 * @param running the delivery loop is running (false after a stop, or when its pipeline died)
 * @param progressing the loop completed a claim or a settle recently (within three poll intervals
 *     plus the statement timeout); false while every statement fails or hangs, e.g. during a
 *     database outage or on a frozen connection
 * @param listenerConnected the LISTEN connection is up
 * @param mode {@code listen} when notifications wake the loop, {@code polling} when the relay
 *     relies on polling (listener down, or notifications not arriving, e.g. behind pgbouncer),
 *     {@code stalled} when it makes no progress, {@code failed} or {@code stopped}
 * @param detail a sentence for the operator
 */
public record EngineHealth(boolean running, boolean progressing, boolean listenerConnected, String mode,
    String detail) {

  /** Ready to deliver: running and making progress. */
  public boolean ok() {
    return running && progressing;
  }
}
