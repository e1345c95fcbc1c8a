package dev.relay.loadtest.scenario;

import dev.relay.loadtest.cli.Arguments;
import dev.relay.loadtest.cli.Options;
import dev.relay.loadtest.postgres.PostgresServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a scenario runs with.
 *
 * @param options the merged options
 * @param postgres the database server (started by the caller)
 * @param out the output directory (exists)
 * @param progress where to say what is happening while it runs
 * @param arguments the command line the options came from (a scenario that runs others merges
 *     them again over each one's defaults)
 */
public record ScenarioContext(Options options, PostgresServer postgres, Path out, PrintStream progress,
    Arguments arguments, long startNanos) {
  public ScenarioContext(Options options, PostgresServer postgres, Path out, PrintStream progress,
      Arguments arguments) {
    this(options, postgres, out, progress, arguments, System.nanoTime());
  }

  /** The same run with other options and output directory (one scenario of several). */
  public ScenarioContext with(Options newOptions, Path newOut) {
    return new ScenarioContext(newOptions, postgres, newOut, progress, arguments, startNanos);
  }

  /** A progress line, prefixed with the seconds since the run started. */
  public void say(String format, Object... args) {
    progress.printf(Locale.ROOT, "-- %6.1f s  %s%n", (System.nanoTime() - startNanos) / 1e9,
        String.format(Locale.ROOT, format, args));
  }
}
