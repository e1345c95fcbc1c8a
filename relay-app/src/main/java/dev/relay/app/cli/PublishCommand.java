package dev.relay.app.cli;

import dev.relay.app.http.Json;
import dev.relay.engine.db.Database;
import dev.relay.engine.publish.MessagePublisher;
import dev.relay.engine.publish.PublishRequest;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Mono;

/** {@code relay publish}: publishes one message through {@code relay.publish(...)}. */
@Command(name = "publish", mixinStandardHelpOptions = true,
    description = "Publish one message (for testing; applications call relay.publish(...) in their own transaction).")
final class PublishCommand implements Callable<Integer> {
  @Mixin ConfigOption config;
  @Spec CommandSpec spec;

  @Option(names = {"-t", "--type"}, required = true, paramLabel = "TYPE", description = "Event type, e.g. invoice.paid.")
  String eventType = "";

  @Option(names = {"-d", "--payload"}, required = true, paramLabel = "JSON", description = "The JSON payload.")
  String payload = "";

  @Option(names = "--event-id", paramLabel = "ID", description = "Idempotency key; becomes webhook-id.")
  @Nullable String eventId;

  @Option(names = "--ordering-key", paramLabel = "KEY", description = "Ordering key.")
  @Nullable String orderingKey;

  @Option(names = "--endpoint", paramLabel = "NAME", description = "Send only to this endpoint.")
  @Nullable String endpoint;

  @Option(names = "--supersede-key", paramLabel = "KEY",
      description = "Supersede key: earlier messages with this key not yet attempted are superseded.")
  @Nullable String supersedeKey;

  @Option(names = "--tenant", paramLabel = "TENANT",
      description = "Send to this tenant's runtime endpoints that take the event type.")
  @Nullable String tenant;

  @Override
  public Integer call() {
    try {
      Json.MAPPER.readTree(payload);
    } catch (Exception e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--payload is not valid JSON: " + e.getMessage());
    }
    Database db = Database.connect(config.load().database());
    PublishRequest request = new PublishRequest(eventType, payload, orderingKey, eventId, endpoint, supersedeKey, tenant);
    Long id = Mono.usingWhen(Mono.just(db), d -> new MessagePublisher(d).publish(request), Database::close).block();
    spec.commandLine().getOut().printf("published message %d%n", id);
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
