package dev.relay.app.cli;

import dev.relay.app.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Builds the picocli command line with the relay's exit codes and error printing. */
public final class Cli {
  private Cli() {}

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new RelayCommand());
    cl.setExitCodeExceptionMapper(e -> e instanceof ConfigException ? ExitCodes.CONFIG
        : e instanceof CommandLine.ParameterException ? ExitCodes.USAGE : ExitCodes.FAILURE);
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      if (e instanceof CommandLine.ParameterException p) {
        err.println("relay: " + p.getMessage());
        err.println("Try '" + p.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
      } else if (e instanceof ConfigException) {
        err.println("relay: " + e.getMessage());
      } else {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
          root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getName() : root.getMessage();
        err.println("relay: " + dev.relay.app.logging.Redactor.redact(message));
      }
      err.flush();
      return commandLine.getExitCodeExceptionMapper().getExitCode(e);
    });
    return cl;
  }

  public static int execute(String... args) {
    return commandLine().execute(args);
  }
}
