package dev.relay.loadtest.run;

import java.util.Locale;

/**
 * Where a phase's CPU went, per event delivered: the relays' processes, this tool's own process
 * (the receiver, the publishers, the sampler) and the rest of the machine (Postgres, above all,
 * when it runs here). It tells which of them a throughput is bound by: on a machine of two cores,
 * the three share the same cores.
 *
 * @param relayNanos CPU time of the relay processes
 * @param toolNanos CPU time of this process; negative when unknown
 * @param machineNanos CPU time the whole machine was busy; negative when unknown (not Linux)
 * @param events events delivered in the phase
 */
record CpuSplit(long relayNanos, long toolNanos, long machineNanos, long events) {

  /** "CPU per delivered event: relay 152 us, ..." or "" when something is unknown or nothing arrived. */
  String describe() {
    if (events <= 0 || relayNanos < 0 || toolNanos < 0 || machineNanos < 0) {
      return "";
    }
    long rest = Math.max(0, machineNanos - relayNanos - toolNanos);
    return String.format(Locale.ROOT, "CPU per delivered event: relay %,.0f us, receiver and load tool %,.0f us, "
            + "rest of the machine (Postgres) %,.0f us",
        perEvent(relayNanos), perEvent(toolNanos), perEvent(rest));
  }

  private double perEvent(long nanos) {
    return nanos / 1e3 / events;
  }
}
