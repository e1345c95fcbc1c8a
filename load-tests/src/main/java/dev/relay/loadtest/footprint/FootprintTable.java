package dev.relay.loadtest.footprint;

import dev.relay.loadtest.report.TextTable;
import java.util.List;
import java.util.Locale;

/** The stages as a table, each figure beside its ratio to the first stage (the baseline). */
public final class FootprintTable {
  private FootprintTable() {}

  public static String render(List<Footprint> stages) {
    Footprint base = stages.get(0);
    TextTable t = new TextTable("stage", "RSS MiB", "x base", "VmHWM MiB", "heap used MiB", "x base", "series",
        "x base", "endpoint labels");
    for (Footprint f : stages) {
      t.row(f.stage() + (f.afterGc() ? "" : " (no GC before)"), mib(f.rssBytes()), ratio(f.rssBytes(), base.rssBytes()),
          mib(f.peakRssBytes()), f.heapUsedBytes() < 0 ? "-" : mib(f.heapUsedBytes()),
          f.heapUsedBytes() < 0 ? "-" : ratio(f.heapUsedBytes(), base.heapUsedBytes()),
          String.format(Locale.ROOT, "%,d", f.series()), ratio(f.series(), base.series()),
          Integer.toString(f.endpointLabels()));
    }
    return t.toString();
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.0f", bytes / 1048576.0);
  }

  private static String ratio(long value, long base) {
    return base <= 0 ? "-" : String.format(Locale.ROOT, "%.2fx", (double) value / base);
  }
}
