package dev.relay.loadtest.report;

/**
 * The relay processes during a phase.
 *
 * @param cpuSeconds user + system CPU of all relays
 * @param cpuPercent of the phase's wall time; 100 = one core busy
 * @param peakRssMiB the largest VmHWM of any relay since it started
 */
public record RelayUsage(double cpuSeconds, double cpuPercent, double peakRssMiB) {}
