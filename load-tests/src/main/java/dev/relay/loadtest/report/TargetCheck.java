package dev.relay.loadtest.report;

/**
 * One of the targets against this run. Reported, never asserted.
 *
 * @param target what should hold, e.g. "p99 <= 10 ms"
 * @param measured what the run measured
 * @param met whether it held
 */
public record TargetCheck(String target, String measured, boolean met) {}
