package dev.relay.loadtest.report;

import java.util.Map;

/**
 * Where and with what a run ran.
 *
 * @param cores processors this JVM sees (the relays, Postgres and the tool share them)
 * @param postgres server description and version
 * @param relayJar the packaged jar
 * @param relayJvmArgs JVM options of each relay ("" = none, as users run it)
 * @param delivery the relays' effective delivery settings
 * @param overrides configuration keys changed from their defaults
 * @param publisher how events were published
 * @param receiver the receiver's schedule, as given
 */
public record Environment(int cores, String postgres, String relayJar, String relayJvmArgs, String delivery,
    Map<String, String> overrides, String publisher, String receiver) {}
