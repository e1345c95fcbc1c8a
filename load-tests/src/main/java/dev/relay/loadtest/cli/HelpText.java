package dev.relay.loadtest.cli;

import java.util.Map;

/** The --help text, from the option catalog and the scenarios' one-line summaries. */
public final class HelpText {
  private HelpText() {}

  /** @param scenarios name → one-line summary (with its defaults), in display order */
  public static String render(Map<String, String> scenarios) {
    StringBuilder b = new StringBuilder();
    b.append("""
        relay-load: end-to-end load runs of the packaged relay against a verifying receiver.

        Usage: ./mvnw -q -pl load-tests exec:java -Dexec.args="<scenario> [options]"
               load-tests/relay-load <scenario> [options]

        Starts Postgres (embedded unless --database-url), a signature-verifying receiver, N relay
        processes (java -jar relay.jar run, configuration defaults plus the endpoints), measures the
        database and HTTP ceilings, runs the scenario's phases, and prints a summary; writes
        summary.txt, report.json and report.html (charts, works offline) to --out.
        Exit code: 0 correct (nothing lost, signatures valid, no unwarranted duplicate), 1 not, 2 usage.

        Scenarios:
        """);
    scenarios.forEach((name, summary) -> b.append(String.format("  %-14s %s%n", name, summary)));
    b.append("\nOptions (default in brackets; scenarios change some defaults, see above):\n");
    for (OptionSpec o : OptionCatalog.ALL) {
      String left = "--" + o.name() + (o.value().isEmpty() ? "" : " " + o.value());
      String fallback = o.fallback().isEmpty() ? "" : " [" + o.fallback() + "]";
      b.append(String.format("  %-34s %s%s%n", left, o.help(), fallback));
    }
    return b.toString();
  }
}
