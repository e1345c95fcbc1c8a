package dev.relay.loadtest;

import dev.relay.loadtest.cli.Arguments;
import dev.relay.loadtest.cli.HelpText;
import dev.relay.loadtest.cli.Options;
import dev.relay.loadtest.cli.UsageException;
import dev.relay.loadtest.postgres.PostgresServer;
import dev.relay.loadtest.report.HtmlReport;
import dev.relay.loadtest.report.JsonReport;
import dev.relay.loadtest.report.RunReport;
import dev.relay.loadtest.report.SummaryTable;
import dev.relay.loadtest.scenario.Scenario;
import dev.relay.loadtest.scenario.ScenarioContext;
import dev.relay.loadtest.scenario.Scenarios;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one scenario from command-line words: parse, start Postgres (embedded unless
 * --database-url), run, print the summary, write summary.txt, report.json and report.html.
 */
public final class LoadTool {
  private LoadTool() {}

  /** The report, or empty if only help was asked for. Usage errors throw {@link UsageException}. */
  public static Optional<RunReport> run(PrintStream out, String... args) throws Exception {
    Arguments arguments = Arguments.parse(args);
    if (arguments.help() || arguments.scenario() == null) {
      out.print(help());
      if (arguments.scenario() == null && !arguments.help()) {
        throw new UsageException("name a scenario");
      }
      return Optional.empty();
    }
    Scenario scenario = Scenarios.find(arguments.scenario()).orElseThrow(() -> new UsageException(
        "unknown scenario '" + arguments.scenario() + "'; one of " + Scenarios.all().keySet()));
    if (arguments.operand() != null && !scenario.operands().contains(arguments.operand())) {
      throw new UsageException(scenario.operands().isEmpty()
          ? "scenario " + scenario.name() + " takes no '" + arguments.operand() + "'"
          : "unknown " + scenario.name() + " '" + arguments.operand() + "'; one of " + scenario.operands());
    }
    Options options = Options.from(scenario.name(), arguments, scenario.defaults());
    Path dir = Files.createDirectories(options.out());
    try (PostgresServer postgres = options.databaseUrl() == null
        ? PostgresServer.embedded(options.durable()) : PostgresServer.external(options.databaseUrl())) {
      RunReport report = scenario.run(new ScenarioContext(options, postgres, dir, out, arguments));
      String summary = SummaryTable.render(report);
      out.println();
      out.print(summary);
      Files.writeString(dir.resolve("summary.txt"), summary);
      JsonReport.write(report, dir.resolve("report.json"));
      HtmlReport.write(report, dir.resolve("report.html"));
      out.println("Reports: " + dir.toAbsolutePath().resolve("report.html") + " (and summary.txt, report.json)");
      return Optional.of(report);
    }
  }

  static String help() {
    Map<String, String> summaries = new LinkedHashMap<>();
    Scenarios.all().forEach((name, s) -> summaries.put(name, s.summary()));
    return HelpText.render(summaries);
  }
}
