package dev.relay.loadtest.process;

/**
 * One reading of a process from {@code /proc}.
 *
 * @param cpuNanos user + system CPU time consumed so far
 * @param rssBytes resident set size now (VmRSS)
 * @param peakRssBytes peak resident set size (VmHWM)
 */
public record ProcSample(long cpuNanos, long rssBytes, long peakRssBytes) {
  public static final ProcSample NONE = new ProcSample(0, 0, 0);

  public ProcSample plus(ProcSample other) {
    return new ProcSample(cpuNanos + other.cpuNanos, rssBytes + other.rssBytes, Math.max(peakRssBytes, other.peakRssBytes));
  }
}
