package dev.relay.app.cli;

import dev.relay.app.config.RelayConfig;
import dev.relay.app.runtime.Relay;
import dev.relay.engine.db.Database;
import dev.relay.engine.registry.Registry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Mono;

/** {@code relay migrate}: applies schema migrations and exits. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Apply the relay's schema migrations, create the configured endpoints that do not exist yet "
        + "(so publishes route to them before a relay runs), and exit. Safe to run from several places at once "
        + "(advisory-locked). `relay run` also migrates unless database.migrate is false.")
final class MigrateCommand implements Callable<Integer> {
  @Mixin ConfigOption config;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    RelayConfig c = config.load();
    Database db = Database.connect(c.database());
    Mono.usingWhen(Mono.just(db),
        d -> d.migrate().then(Registry.declare(d, Relay.endpointSpecs(c))),
        Database::close).block();
    spec.commandLine().getOut().printf("schema %s is up to date; %d configured endpoints declared%n",
        c.database().schema(), c.endpoints().size());
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
