package dev.relay.app.cli;

/**
 * Process exit codes, documented in {@code relay --help} and the operations guide.
 *
 * <ul>
 *   <li>0: success; also a graceful stop after SIGTERM or SIGINT
 *   <li>1: failure at run time (database unreachable, migration failed, unexpected error)
 *   <li>2: command-line usage error (unknown option, missing argument)
 *   <li>3: invalid configuration (every problem is printed, each naming its key)
 * </ul>
 */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;
  public static final int CONFIG = 3;

  private ExitCodes() {}
}
