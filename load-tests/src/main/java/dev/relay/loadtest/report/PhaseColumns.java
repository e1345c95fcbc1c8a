package dev.relay.loadtest.report;

import java.util.List;

/** The summary columns of a phase, shared by the text table and the HTML table. */
final class PhaseColumns {
  static final String[] HEADER = {"phase", "relays", "endpoints", "published", "delivered", "lost", "dup", "bad sig",
      "result", "seconds", "per s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "of DB", "of HTTP",
      "CPU %", "peak RSS MiB"};

  private PhaseColumns() {}

  static String[] of(PhaseResult p) {
    Correctness c = p.correctness();
    return new String[] {p.name(), Integer.toString(p.relays()), Format.count(p.endpoints()),
        Format.count(c.published()), Format.count(c.delivered()), Format.count(c.lost()), Format.count(c.duplicates()),
        Format.count(c.badSignatures()), c.timedOut() ? "TIMED OUT" : c.ok() ? "ok" : "FAILED",
        Format.seconds(p.seconds()), Format.rate(p.throughput()), Format.ms(p.latency().p50()),
        Format.ms(p.latency().p90()), Format.ms(p.latency().p99()), Format.ms(p.latency().p999()),
        Format.ms(p.latency().max()), Format.percent(p.ratios().ofDatabase()), Format.percent(p.ratios().ofHttp()),
        Format.rate(p.usage().cpuPercent()), Format.mib(p.usage().peakRssMiB())};
  }

  static List<String[]> all(List<PhaseResult> phases) {
    return phases.stream().map(PhaseColumns::of).toList();
  }
}
