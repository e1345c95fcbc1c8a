package dev.relay.loadtest.scenario;

import dev.relay.loadtest.cli.Options;
import dev.relay.loadtest.postgres.PostgresServer;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * What a scenario runs with.
 *
 * @param options the merged options
 * @param postgres the database server (started by the caller)
 * @param out the output directory (exists)
 * @param progress where to say what is happening while it runs
 */
public record ScenarioContext(Options options, PostgresServer postgres, Path out, PrintStream progress) {
  public void say(String format, Object... args) {
    progress.printf("-- " + format + "%n", args);
  }
}
