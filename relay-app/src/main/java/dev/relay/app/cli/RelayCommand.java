package dev.relay.app.cli;

import dev.relay.app.metrics.Registries;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code relay}: the top-level command. */
@Command(
    name = "relay",
    mixinStandardHelpOptions = true,
    versionProvider = RelayCommand.Version.class,
    description = "Turns rows your application commits into Postgres into signed webhooks.",
    subcommands = {
      RunCommand.class,
      DemoCommand.class,
      MigrateCommand.class,
      CheckConfigCommand.class,
      DeadLettersCommand.class,
      HistoryCommand.class,
      PublishCommand.class,
      SampleReceiverCommand.class,
      picocli.CommandLine.HelpCommand.class
    },
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  success, or a graceful stop after SIGTERM/SIGINT",
      "  1  failure at run time (database unreachable, migration failed, ...)",
      "  2  command-line usage error",
      "  3  invalid configuration (every problem listed by key path)"
    })
public final class RelayCommand {

  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"relay " + Registries.version()};
    }
  }
}
