package dev.relay.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    CommandLine cl = Cli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void everyCommandHasHelp() {
    for (String[] cmd : new String[][] {{}, {"run"}, {"demo"}, {"migrate"}, {"check-config"}, {"dead-letters"},
        {"dead-letters", "list"}, {"dead-letters", "replay"}, {"dead-letters", "discard"}, {"publish"}}) {
      String[] args = java.util.Arrays.copyOf(cmd, cmd.length + 1);
      args[cmd.length] = "--help";
      Result r = run(args);
      assertThat(r.code()).as(String.join(" ", args)).isZero();
      assertThat(r.out()).as(String.join(" ", args)).contains("Usage: relay");
    }
    assertThat(run("--help").out()).contains("Exit codes").contains("invalid configuration");
  }

  @Test
  void checkConfigAcceptsTheExampleWithItsEnvironmentAndNamesProblemsOtherwise(@TempDir Path dir) throws IOException {
    Path good = dir.resolve("good.yaml");
    Files.writeString(good, "database:\n  url: r2dbc:postgresql://db:5432/app\n");
    Result ok = run("check-config", "--config", good.toString());
    assertThat(ok.code()).isEqualTo(ExitCodes.OK);
    assertThat(ok.out()).contains("is valid").contains("admin.token is not set");

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "database:\n  url: r2dbc:postgresql://db:5432/app\ndelivery:\n  lease: 1 hour\n  retries: 3\n");
    Result r = run("check-config", "-c", bad.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.CONFIG);
    assertThat(r.err()).contains("delivery.lease:").contains("delivery.retries: unknown key");
    // run refuses to start on the same file, with the same list and exit code
    Result run = run("run", "--config", bad.toString());
    assertThat(run.code()).isEqualTo(ExitCodes.CONFIG);
    assertThat(run.err()).contains("delivery.lease:").contains("delivery.retries: unknown key");
  }

  @Test
  void missingConfigFileIsAConfigError(@TempDir Path dir) {
    Result r = run("check-config", "--config", dir.resolve("nope.yaml").toString());
    assertThat(r.code()).isEqualTo(ExitCodes.CONFIG);
    assertThat(r.err()).contains("file not found");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("frobnicate").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(run("publish", "--type", "x").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(run("dead-letters", "replay", "--config", "x.yaml").code()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void unreachableDatabaseIsAFailureNotACrash(@TempDir Path dir) throws IOException {
    Path cfg = dir.resolve("c.yaml");
    Files.writeString(cfg, "database:\n  url: r2dbc:postgresql://127.0.0.1:1/app\n  connect-timeout: 1s\n");
    Result r = run("dead-letters", "list", "--config", cfg.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err()).startsWith("relay: ");
  }
}
