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
        err.println("relay: " + dev.relay.app.logging.Redactor.redact(describe(e)));
      }
      err.flush();
      return commandLine.getExitCodeExceptionMapper().getExitCode(e);
    });
    return cl;
  }

  /** The outermost message, plus the root cause's when it says something else. */
  static String describe(Throwable e) {
    Throwable top = e;
    while (top.getMessage() == null && top.getCause() != null && top.getCause() != top) {
      top = top.getCause();
    }
    Throwable root = top;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = top.getMessage() == null ? top.getClass().getName() : top.getMessage().strip();
    String rootMessage = root.getMessage() == null ? root.getClass().getSimpleName()
        : root.getMessage().strip().lines().findFirst().orElse("");
    if (root != top && !message.contains(rootMessage)) {
      message = message + " (cause: " + rootMessage + ")";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline) + " ...";
  }

  public static int execute(String... args) {
    return commandLine().execute(args);
  }
}
