package dev.relay.app.cli;

import dev.relay.app.config.EndpointConfig;
import dev.relay.app.config.RelayConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code relay check-config}: validates the configuration without connecting anywhere. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
    description = "Validate the configuration (YAML, environment interpolation and overrides) and exit: "
        + "0 when valid, 3 with every problem listed by key path otherwise.")
final class CheckConfigCommand implements Callable<Integer> {
  @Mixin ConfigOption config;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    RelayConfig c = config.load();
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%s is valid: database %s schema %s, %d endpoint(s), admin on %s:%d%n", config.file,
        c.database().host() + ":" + c.database().port() + "/" + c.database().database(), c.database().schema(),
        c.endpoints().size(), c.admin().bind(), c.admin().port());
    for (EndpointConfig e : c.endpoints()) {
      out.printf("  - %s -> %s%s%n", e.name(), e.url().getScheme() + "://" + e.url().getHost()
          + (e.url().getPort() < 0 ? "" : ":" + e.url().getPort()) + e.url().getRawPath(),
          e.paused() ? " (paused)" : "");
    }
    if (c.admin().token() == null) {
      out.println("  note: admin.token is not set; the admin API will refuse every call");
    }
    out.flush();
    return ExitCodes.OK;
  }
}
