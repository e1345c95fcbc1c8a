package dev.relay.app.cli;

import dev.relay.app.config.ConfigLoader;
import dev.relay.app.config.LoadedConfig;
import dev.relay.app.config.RelayConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config} option every command that needs a configuration shares. */
final class ConfigOption {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = "${env:RELAY_CONFIG:-config/relay.yaml}",
      description = "Configuration file (default: $RELAY_CONFIG, else ${DEFAULT-VALUE}). "
          + "RELAY_* environment variables override its keys.")
  Path file = Path.of("config/relay.yaml");

  /** The configuration; warnings (e.g. a misspelt RELAY_* variable) go to stderr. */
  RelayConfig load() {
    LoadedConfig loaded = read();
    loaded.warnings().forEach(w -> System.err.println("relay: warning: " + w));
    return loaded.config();
  }

  LoadedConfig read() {
    return ConfigLoader.read(file, System.getenv());
  }
}
