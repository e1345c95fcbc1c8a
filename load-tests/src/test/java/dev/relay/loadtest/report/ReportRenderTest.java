package dev.relay.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.loadtest.ceiling.Throughput;
import dev.relay.loadtest.ledger.LatencySummary;
import dev.relay.loadtest.monitor.Sample;
import dev.relay.loadtest.postgres.TableStat;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportRenderTest {
  private static RunReport report(boolean timedOut) {
    List<Sample> samples = List.of(
        new Sample(0, 0, 0, 0, 0, 0, 0, 0, 0, 1000, 5, 180, 0),
        new Sample(1, 1000, 400, 0, 400, 1.5, 2.5, 4, 9, 600, -1, 190, 80),
        new Sample(2, 1000, 1000, 0, 600, 1.2, 2.0, 3, 7, 0, 12, 200, 95));
    Correctness c = new Correctness(1000, timedOut ? 400 : 1000, timedOut ? 600 : 0, 0, 0, 0, timedOut, false,
        List.of());
    PhaseResult p = new PhaseResult("drain", "backlog of 1,000", 1, 1, 1000, c, 2, 500,
        new LatencySummary(1000, 1.2, 2, 3, 5, 9, 1.5), new LatencySummary(1000, 1.0, 2, 2.5, 5, 9, 1.5),
        LatencySummary.EMPTY, 12, 1000, 0, 0,
        new RelayUsage(1.5, 75, 210), new Ratios(0.05, 0.25), samples, List.of("a <note>"));
    Ceilings ceilings = new Ceilings(Throughput.of(1000, 0.1, "db"), Throughput.of(1000, 0.5, "http"), null, null,
        null);
    Environment env = new Environment(2, "embedded", "relay.jar", "", "max-in-flight 256", Map.of(), "jdbc", "ok");
    return new RunReport("drain", "test run", Instant.parse("2026-01-01T00:00:00Z"), 3, env, ceilings, List.of(p),
        List.of(new TableStat("delivery", 1000, 20, 1 << 20)), List.of(0),
        List.of(new TargetCheck("drain >= 50%", "25%", false)), List.of());
  }

  @Test
  void theSummaryShowsThePhaseRatiosAndTheVerdict() {
    String text = SummaryTable.render(report(false));

    assertThat(text).contains("drain", "1,000", "500", "5%", "25%", "MISSED drain >= 50%: 25%", "Result: CORRECT",
        "after commit p50 1.00 / p99 2.50 ms");
    assertThat(SummaryTable.render(report(true))).contains("TIMED OUT", "timed out, 400 of 1000 delivered",
        "NOT CORRECT");
  }

  @Test
  void theHtmlPageIsSelfContainedWithCharts() {
    String html = HtmlReport.render(report(false));

    assertThat(html).contains("<svg", "<polyline", "Throughput", "Backlog", "a &lt;note&gt;");
    assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://", "https://", "<script");
  }

  @Test
  void theJsonHasTheTimeSeriesAndTheVerdict() throws Exception {
    String json = JsonReport.render(report(false));

    assertThat(json).contains("\"delivered_per_second\" : 600.0", "\"ok\" : true", "\"per_second\" : 10000.0",
        "\"of_lower\" : 0.25", "\"started\" : \"2026-01-01T00:00:00Z\"");
  }

  @Test
  void niceAxisMaximaAreRoundNumbers() {
    assertThat(SvgChart.niceCeiling(0)).isEqualTo(1);
    assertThat(SvgChart.niceCeiling(7.3)).isEqualTo(8);
    assertThat(SvgChart.niceCeiling(121)).isEqualTo(150);
    assertThat(SvgChart.niceCeiling(2400)).isEqualTo(2500);
    assertThat(SvgChart.niceCeiling(9000)).isEqualTo(10000);
  }
}
