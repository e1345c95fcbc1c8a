package dev.relay.loadtest.cli;

/** The command line is wrong: the message says which option and why (exit code 2). */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message, null, false, false);
  }
}
