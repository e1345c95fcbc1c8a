package dev.relay.loadtest;

import dev.relay.loadtest.cli.UsageException;
import dev.relay.loadtest.report.RunReport;
import java.util.Optional;

/** {@code relay-load <scenario> [options]}; exit 0 correct, 1 not correct (or failed), 2 usage. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // relay-app's jar carries a logback.xml too; name ours before anything logs.
    System.setProperty("logback.configurationFile", "relay-load-logback.xml");
    int code;
    try {
      Optional<RunReport> report = LoadTool.run(System.out, args);
      code = report.map(r -> r.correct() ? 0 : 1).orElse(0);
    } catch (UsageException e) {
      System.err.println("relay-load: " + e.getMessage());
      code = 2;
    } catch (Exception e) {
      System.err.println("relay-load: failed: " + e);
      e.printStackTrace();
      code = 1;
    }
    System.out.flush();
    System.exit(code);
  }
}
