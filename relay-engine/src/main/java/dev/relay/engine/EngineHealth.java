package dev.relay.engine;

/**
 * Whether the engine can do its job, for readiness checks.
 *
 * @param running the delivery loop is running
 * @param listenerConnected the LISTEN connection is up
 * @param mode {@code listen} when notifications wake the loop, {@code polling} when the relay
 *     relies on polling (listener down, or notifications not arriving, e.g. behind pgbouncer)
 * @param detail a sentence for the operator
 */
public record EngineHealth(boolean running, boolean listenerConnected, String mode, String detail) {}
