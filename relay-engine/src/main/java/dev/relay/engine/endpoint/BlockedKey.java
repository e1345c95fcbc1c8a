package dev.relay.engine.endpoint;

/**
 * An ordering key that waits for an operator: its endpoint blocks keys on dead letters, and the
 * key has one.
 *
 * @param deadLetterId the earliest dead letter of the key (replay or discard it to release the key)
 * @param waiting messages of the key waiting behind it
 */
public record BlockedKey(String endpoint, String orderingKey, long deadLetterId, long waiting) {}
