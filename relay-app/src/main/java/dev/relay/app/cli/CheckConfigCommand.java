package dev.relay.app.cli;

import dev.relay.app.config.EndpointConfig;
import dev.relay.app.config.LoadedConfig;
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
    LoadedConfig loaded = config.read();
    RelayConfig c = loaded.config();
    PrintWriter out = spec.commandLine().getOut();
    // Nothing under database is printed (the URL may carry parameters an operator considers private).
    out.printf("%s is valid: schema %s, ssl-mode %s, %d endpoint(s), admin on %s:%d%n", config.file,
        c.database().schema(), c.database().tls().mode().text(), c.endpoints().size(), c.admin().bind(),
        c.admin().port());
    for (EndpointConfig e : c.endpoints()) {
      // Scheme and host only: webhook URLs often carry a token in the path.
      out.printf("  - %s -> %s://%s%s%n", e.name(), e.url().getScheme(), e.url().getHost(),
          e.paused() ? " (paused)" : "");
    }
    for (String warning : loaded.warnings()) {
      out.println("  warning: " + warning);
    }
    out.println(c.runtimeEndpoints().enabled()
        ? "  runtime endpoints: served (" + c.runtimeEndpoints().encryptionKeys().size() + " encryption key(s), values not shown)"
        : "  runtime endpoints: not served (no runtime-endpoints.encryption-keys)");
    if (c.admin().token() == null) {
      out.println("  note: admin.token is not set; the admin API will refuse every call");
    }
    out.flush();
    return ExitCodes.OK;
  }
}
