package dev.relay.app;

import dev.relay.app.cli.Cli;
import dev.relay.app.runtime.Shutdown;

/** {@code java -jar relay.jar <command>}; see {@code relay --help}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = Cli.execute(args);
    Shutdown.exit(code);
  }
}
