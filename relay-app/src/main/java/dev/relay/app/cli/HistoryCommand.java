package dev.relay.app.cli;

import dev.relay.app.config.RelayConfig;
import dev.relay.app.http.Json;
import dev.relay.engine.db.Database;
import dev.relay.engine.history.AttemptHistory;
import dev.relay.engine.history.AttemptRecord;
import dev.relay.engine.history.DeliveryHistory;
import dev.relay.engine.history.MessageHistory;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Mono;

/**
 * {@code relay history message|delivery|failures}: the attempt history, read from the database
 * directly (no running relay needed), as a table or JSON lines.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = "Show the attempt history: of a message, of one delivery, or an endpoint's recent failures.",
    subcommands = {
      HistoryCommand.MessageCommand.class,
      HistoryCommand.DeliveryCommand.class,
      HistoryCommand.FailuresCommand.class
    })
final class HistoryCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "choose message, delivery or failures");
  }

  static <T> T withHistory(RelayConfig config, Function<AttemptHistory, Mono<T>> action) {
    Database db = Database.connect(config.database());
    return Mono.usingWhen(Mono.just(db), d -> action.apply(new AttemptHistory(d)), Database::close).block();
  }

  /** Options every subcommand takes. */
  static final class Output {
    @Option(names = "--limit", defaultValue = "100",
        description = "At most this many attempts, 1..1000 (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "JSON instead of a table.")
    boolean json;

    int checkedLimit(CommandSpec spec) {
      if (limit < 1 || limit > AttemptHistory.MAX_LIMIT) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--limit must be within 1.." + AttemptHistory.MAX_LIMIT + ", was " + limit);
      }
      return limit;
    }
  }

  @Command(name = "message", mixinStandardHelpOptions = true,
      description = "A message by event id: every endpoint's delivery and all its attempts.")
  static final class MessageCommand implements Callable<Integer> {
    @Mixin ConfigOption config;
    @Mixin Output output;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "EVENT_ID", description = "The message's event id (webhook-id).")
    String eventId;

    @Override
    public Integer call() {
      int limit = output.checkedLimit(spec);
      MessageHistory m = withHistory(config.load(), h -> h.message(eventId, limit));
      PrintWriter out = spec.commandLine().getOut();
      if (m == null) {
        spec.commandLine().getErr().printf("no message with event id '%s'%n", eventId);
        return ExitCodes.FAILURE;
      }
      if (output.json) {
        out.println(Json.write(m));
      } else {
        out.printf("message %d, event %s (%s), published %s%s%n", m.messageId(), m.eventId(), m.eventType(),
            m.publishedAt(), m.unrouted() ? ", unrouted" : "");
        for (DeliveryHistory d : m.deliveries()) {
          out.printf("%ndelivery %d to %s: %s after %d attempt(s)%n", d.delivery().id(), d.delivery().endpoint(),
              d.delivery().state(), d.delivery().attempts());
          table(out, d.attempts());
        }
        if (m.truncated()) {
          out.printf("(more attempts than --limit %d)%n", limit);
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  @Command(name = "delivery", mixinStandardHelpOptions = true, description = "The attempts of one delivery, oldest first.")
  static final class DeliveryCommand implements Callable<Integer> {
    @Mixin ConfigOption config;
    @Mixin Output output;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The delivery id.")
    long id;

    @Override
    public Integer call() {
      int limit = output.checkedLimit(spec);
      DeliveryHistory d = withHistory(config.load(), h -> h.delivery(id, limit));
      PrintWriter out = spec.commandLine().getOut();
      if (d == null) {
        spec.commandLine().getErr().printf("no delivery with id %d%n", id);
        return ExitCodes.FAILURE;
      }
      if (output.json) {
        d.attempts().forEach(a -> out.println(Json.write(a)));
      } else {
        out.printf("delivery %d to %s, event %s: %s after %d attempt(s)%n", d.delivery().id(),
            d.delivery().endpoint(), d.delivery().eventId(), d.delivery().state(), d.delivery().attempts());
        table(out, d.attempts());
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  @Command(name = "failures", mixinStandardHelpOptions = true,
      description = "An endpoint's recent failed attempts, newest first.")
  static final class FailuresCommand implements Callable<Integer> {
    @Mixin ConfigOption config;
    @Mixin Output output;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ENDPOINT", description = "The endpoint name.")
    String endpoint;

    @Override
    public Integer call() {
      int limit = output.checkedLimit(spec);
      List<AttemptRecord> rows = withHistory(config.load(), h -> h.failures(endpoint, limit));
      PrintWriter out = spec.commandLine().getOut();
      if (output.json) {
        rows.forEach(a -> out.println(Json.write(a)));
      } else {
        table(out, rows);
        out.printf("%d failed attempt(s)%n", rows.size());
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  static void table(PrintWriter out, List<AttemptRecord> rows) {
    out.printf("%-10s %7s %-28s %-24s %8s %6s  %s%n", "DELIVERY", "ATTEMPT", "EVENT ID", "STARTED", "MS", "STATUS",
        "ERROR");
    for (AttemptRecord a : rows) {
      out.printf("%-10d %7d %-28s %-24s %8d %6s  %s%n", a.deliveryId(), a.attempt(), a.eventId(), a.startedAt(),
          a.durationMs(), a.status() == null ? "-" : a.status(),
          a.error() == null ? "" : a.error().replaceAll("\\s+", " "));
    }
  }
}
