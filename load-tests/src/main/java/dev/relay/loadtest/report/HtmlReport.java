package dev.relay.loadtest.report;

import dev.relay.loadtest.monitor.Sample;
import dev.relay.loadtest.postgres.TableStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One self-contained HTML page: the summary text, the phase table, targets, tables, and per
 * phase inline-SVG charts of throughput, latency percentiles, backlog, relay memory and CPU, and
 * dead tuples over time. No script and nothing fetched: it opens offline.
 */
public final class HtmlReport {
  private static final String STYLE = """
      body{font-family:sans-serif;margin:24px;color:#222}
      table{border-collapse:collapse;font-size:12px;margin:8px 0}
      td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}
      td:first-child,th:first-child{text-align:left}
      pre{background:#f6f6f6;padding:8px;font-size:12px;overflow-x:auto}
      .charts{display:flex;flex-wrap:wrap;gap:8px}
      .met{color:#1a7f37}.missed{color:#b42318}
      """;

  private HtmlReport() {}

  public static void write(RunReport report, Path file) throws IOException {
    Files.writeString(file, render(report), StandardCharsets.UTF_8);
  }

  public static String render(RunReport r) {
    StringBuilder b = new StringBuilder();
    b.append("<!doctype html><html><head><meta charset='utf-8'><title>relay-load ")
        .append(Html.escape(r.scenario())).append("</title><style>").append(STYLE).append("</style></head><body>");
    b.append("<h1>relay-load ").append(Html.escape(r.scenario())).append("</h1><p>")
        .append(Html.escape(r.description())).append("</p><p>Started ").append(r.started()).append("</p>");
    b.append("<h2>Phases</h2>").append(table(PhaseColumns.HEADER, PhaseColumns.all(r.phases())));
    targets(b, r);
    b.append("<h2>Relay tables after the run</h2>").append(table(new String[] {"table", "live tuples", "dead tuples",
        "total size"}, r.tables().stream().map(HtmlReport::tableRow).toList()));
    for (PhaseResult p : r.phases()) {
      charts(b, p);
    }
    b.append("<h2>Summary as printed</h2><pre>").append(Html.escape(SummaryTable.render(r))).append("</pre>");
    return b.append("</body></html>").toString();
  }

  private static void targets(StringBuilder b, RunReport r) {
    if (r.targets().isEmpty()) {
      return;
    }
    b.append("<h2>Targets</h2><ul>");
    for (TargetCheck t : r.targets()) {
      b.append("<li class='").append(t.met() ? "met" : "missed").append("'>").append(t.met() ? "met" : "missed")
          .append(": ").append(Html.escape(t.target())).append(" — ").append(Html.escape(t.measured())).append("</li>");
    }
    b.append("</ul>");
  }

  private static String[] tableRow(TableStat s) {
    return new String[] {s.table(), Format.count(s.liveTuples()), Format.count(s.deadTuples()),
        Format.bytes(s.totalBytes())};
  }

  private static String table(String[] header, List<String[]> rows) {
    StringBuilder b = new StringBuilder("<table><tr>");
    for (String h : header) {
      b.append("<th>").append(Html.escape(h)).append("</th>");
    }
    b.append("</tr>");
    for (String[] row : rows) {
      b.append("<tr>");
      for (String cell : row) {
        b.append("<td>").append(Html.escape(cell)).append("</td>");
      }
      b.append("</tr>");
    }
    return b.append("</table>").toString();
  }

  private static void charts(StringBuilder b, PhaseResult p) {
    List<Sample> s = p.samples();
    if (s.size() < 2) {
      return;
    }
    b.append("<h2>").append(Html.escape(p.name())).append("</h2><p>").append(Html.escape(p.load()))
        .append("</p><div class='charts'>");
    double[] t = values(s, Sample::t);
    b.append(SvgChart.render("Throughput", "events/s", t, List.of(
        new SvgChart.Series("delivered/s", values(s, Sample::deliveredPerSecond)),
        new SvgChart.Series("published/s", values(s, Sample::publishedPerSecond)))));
    b.append(SvgChart.render("Latency (publish to arrival), per interval", "ms", t, List.of(
        new SvgChart.Series("p50", values(s, Sample::p50)),
        new SvgChart.Series("p90", values(s, Sample::p90)),
        new SvgChart.Series("p99", values(s, Sample::p99)))));
    b.append(SvgChart.render("Backlog (pending deliveries)", "rows", t, List.of(
        new SvgChart.Series("backlog", values(s, x -> x.backlog())))));
    b.append(SvgChart.render("Relay memory", "MiB", t, List.of(
        new SvgChart.Series("RSS (all relays)", values(s, Sample::rssMiB)))));
    b.append(SvgChart.render("Relay CPU", "% of one core", t, List.of(
        new SvgChart.Series("CPU (all relays)", values(s, Sample::cpuPercent)))));
    b.append(SvgChart.render("Dead tuples (relay tables)", "tuples", t, List.of(
        new SvgChart.Series("dead tuples", values(s, x -> x.deadTuples())))));
    b.append("</div>");
  }

  private static double[] values(List<Sample> samples, ToDoubleFunction<Sample> f) {
    return samples.stream().mapToDouble(f).toArray();
  }
}
