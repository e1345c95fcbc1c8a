package dev.relay.loadtest.receiver;

import dev.relay.app.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Receiver behaviour over time: steps that each start at an offset from when the schedule was
 * applied and last until the next step. Written on the command line as comma-separated steps,
 * {@code OFFSET=ITEM[+ITEM...]}, where an item is {@code ok}, {@code delay:DURATION}, {@code
 * error:STATUS:P} (repeatable with other statuses), {@code reset:P}, {@code hang:P} or {@code
 * drip:P:DURATION} (200 at once, the body's end DURATION later), P a probability 0..1:
 *
 * <pre>0s=delay:2ms,30s=error:503:0.2+error:429:0.05+delay:5ms,60s=reset:0.05,90s=ok</pre>
 */
public record FaultSchedule(List<Step> steps) {
  public static final FaultSchedule ALWAYS_OK = constant(Behaviour.OK);

  /** One step: from {@code at} (offset from the schedule's start) on, behave so. */
  public record Step(Duration at, Behaviour behaviour) {}

  public FaultSchedule {
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a receiver schedule needs at least one step");
    }
    steps = steps.stream().sorted(Comparator.comparing(Step::at)).toList();
  }

  public static FaultSchedule constant(Behaviour behaviour) {
    return new FaultSchedule(List.of(new Step(Duration.ZERO, behaviour)));
  }

  /** The behaviour in force {@code elapsed} after the schedule started (the first step before its offset). */
  public Behaviour at(Duration elapsed) {
    Behaviour current = steps.get(0).behaviour();
    for (Step step : steps) {
      if (step.at().compareTo(elapsed) > 0) {
        break;
      }
      current = step.behaviour();
    }
    return current;
  }

  /** True if any step may make a sender retry a request the receiver already processed. */
  public boolean mayCauseDuplicates() {
    return steps.stream().anyMatch(s -> s.behaviour().mayCauseDuplicates());
  }

  /** The schedule with every step's delay replaced (the HTTP ceiling keeps delays, never faults). */
  public FaultSchedule delaysOnly() {
    return new FaultSchedule(steps.stream()
        .map(s -> new Step(s.at(), Behaviour.delayed(s.behaviour().delay()))).toList());
  }

  /** Parses the command-line form; errors name the offending step. */
  public static FaultSchedule parse(String spec) {
    List<Step> steps = new ArrayList<>();
    for (String step : spec.split(",")) {
      String[] parts = step.strip().split("=", 2);
      if (parts.length != 2) {
        throw new IllegalArgumentException("receiver schedule step '" + step + "' must be OFFSET=BEHAVIOUR, e.g. 10s=error:503:0.2");
      }
      steps.add(new Step(offset(parts[0].strip(), step), behaviour(parts[1].strip(), step)));
    }
    return new FaultSchedule(steps);
  }

  private static Duration offset(String text, String step) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("receiver schedule step '" + step + "': offset " + e.getMessage());
    }
  }

  private static Behaviour behaviour(String items, String step) {
    Behaviour b = Behaviour.OK;
    for (String item : items.split("\\+")) {
      String[] f = item.strip().toLowerCase(Locale.ROOT).split(":");
      try {
        b = switch (f[0]) {
          case "ok" -> b;
          case "delay" -> b.withDelay(Durations.parse(f[1]));
          case "error" -> b.withErrors(Integer.parseInt(f[1]), Double.parseDouble(f[2]));
          case "reset" -> b.withResets(Double.parseDouble(f[1]));
          case "hang" -> b.withHangs(Double.parseDouble(f[1]));
          case "drip" -> b.withDrips(Double.parseDouble(f[1]), Durations.parse(f[2]));
          default -> throw new IllegalArgumentException("unknown item '" + f[0] + "'");
        };
      } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
        throw new IllegalArgumentException("receiver schedule step '" + step + "': malformed item '" + item
            + "' (items: ok, delay:20ms, error:503:0.2, reset:0.1, hang:0.05, drip:0.1:3s)");
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("receiver schedule step '" + step + "': " + e.getMessage());
      }
    }
    return b;
  }
}
