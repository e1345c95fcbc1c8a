package dev.relay.app.cli;

import dev.relay.app.config.RelayConfig;
import dev.relay.engine.db.Database;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Mono;

/** {@code relay migrate}: applies schema migrations and exits. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Apply the relay's schema migrations and exit. Safe to run from several places at once "
        + "(advisory-locked). `relay run` also migrates unless database.migrate is false.")
final class MigrateCommand implements Callable<Integer> {
  @Mixin ConfigOption config;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    RelayConfig c = config.load();
    Database db = Database.connect(c.database());
    Mono.usingWhen(Mono.just(db), Database::migrate, Database::close).block();
    spec.commandLine().getOut().printf("schema %s is up to date%n", c.database().schema());
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
