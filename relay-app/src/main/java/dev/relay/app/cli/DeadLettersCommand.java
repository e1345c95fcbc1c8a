package dev.relay.app.cli;

import dev.relay.app.config.RelayConfig;
import dev.relay.app.http.Json;
import dev.relay.engine.db.Database;
import dev.relay.engine.deadletter.DeadLetterQuery;
import dev.relay.engine.deadletter.DeadLetters;
import dev.relay.engine.delivery.DeliveryRecord;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Mono;

/** {@code relay dead-letters list|replay|discard}: works on the database directly; no running relay needed. */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
    description = "List, replay or discard dead letters (deliveries that used up their attempts or failed terminally).",
    subcommands = {
      DeadLettersCommand.ListCommand.class,
      DeadLettersCommand.ReplayCommand.class,
      DeadLettersCommand.DiscardCommand.class
    })
final class DeadLettersCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "choose list, replay or discard");
  }

  static <T> T withDeadLetters(RelayConfig config, Function<DeadLetters, Mono<T>> action) {
    Database db = Database.connect(config.database());
    return Mono.usingWhen(Mono.just(db), d -> action.apply(new DeadLetters(d, () -> { })), Database::close).block();
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List dead letters, newest first.")
  static final class ListCommand implements Callable<Integer> {
    @Mixin ConfigOption config;
    @ArgGroup(exclusive = false) DeadLetterFilters filters = new DeadLetterFilters();
    @Spec CommandSpec spec;

    @Option(names = "--limit", defaultValue = "100", description = "At most this many (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "One JSON object per line instead of a table.")
    boolean json;

    @Override
    public Integer call() {
      DeadLetterQuery q = filters.query(limit);
      List<DeliveryRecord> rows = withDeadLetters(config.load(), d -> d.list(q).collectList());
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        rows.forEach(r -> out.println(Json.write(r)));
      } else {
        out.printf("%-10s %-20s %-28s %-24s %8s  %s%n", "ID", "ENDPOINT", "EVENT ID", "EVENT TYPE", "ATTEMPTS", "LAST ERROR");
        for (DeliveryRecord r : rows) {
          out.printf("%-10d %-20s %-28s %-24s %8d  %s%n", r.id(), r.endpoint(), r.eventId(), r.eventType(), r.attempts(),
              r.lastError() == null ? "" : r.lastError().replaceAll("\\s+", " "));
        }
        out.printf("%d dead letter(s)%n", rows.size());
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** Selection shared by replay and discard: ids, or filters, or --all. */
  static final class Selection {
    @Option(names = "--id", paramLabel = "ID", split = ",", description = "Delivery ids (repeat or comma separate).")
    List<Long> ids = new ArrayList<>();

    @ArgGroup(exclusive = false) DeadLetterFilters filters = new DeadLetterFilters();

    @Option(names = "--all", description = "Every dead letter (needed when no id or filter is given).")
    boolean all;

    @Option(names = "--limit", defaultValue = "10000", description = "At most this many (default ${DEFAULT-VALUE}).")
    int limit;

    void check(CommandSpec spec) {
      if (ids.isEmpty() && !filters.any() && !all) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "select dead letters with --id, --endpoint, --event-type, --since or --until, or pass --all");
      }
    }

    /** Applies an action to the selected dead letters and prints how many it changed. */
    int apply(ConfigOption config, CommandSpec spec, String done,
        BiFunction<DeadLetters, DeadLetterQuery, Mono<Long>> byQuery,
        BiFunction<DeadLetters, List<Long>, Mono<Long>> byIds) {
      check(spec);
      long n = withDeadLetters(config.load(), d -> ids.isEmpty() ? byQuery.apply(d, filters.query(limit)) : byIds.apply(d, ids));
      spec.commandLine().getOut().printf("%s %d dead letter(s)%n", done, n);
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }

  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = "Send dead letters back to pending with a fresh attempt budget.")
  static final class ReplayCommand implements Callable<Integer> {
    @Mixin ConfigOption config;
    @Mixin Selection selection;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      return selection.apply(config, spec, "replayed", DeadLetters::replay, DeadLetters::replayIds);
    }
  }

  @Command(name = "discard", mixinStandardHelpOptions = true,
      description = "Mark dead letters discarded (kept until retention purges them, never delivered).")
  static final class DiscardCommand implements Callable<Integer> {
    @Mixin ConfigOption config;
    @Mixin Selection selection;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      return selection.apply(config, spec, "discarded", DeadLetters::discard, DeadLetters::discardIds);
    }
  }
}
