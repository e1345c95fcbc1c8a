package dev.relay.loadtest.cli;

import dev.relay.app.config.Durations;
import dev.relay.loadtest.publish.Publisher;
import dev.relay.loadtest.receiver.Behaviour;
import dev.relay.loadtest.receiver.FaultSchedule;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A run's settings: the user's options over the scenario's defaults over the catalog's. Every
 * error names the option. See {@link OptionCatalog} for what each means.
 */
public record Options(String scenario, long events, List<Double> rates, Duration duration, int relays,
    boolean compareSingle, int endpoints, double zipf, int payloadBytes, FaultSchedule receiverSchedule,
    String receiverDescription, Map<String, String> relaySettings, @Nullable Path relayJar, List<String> relayJvmArgs,
    @Nullable String databaseUrl, boolean durable, String schema, Publisher.Kind publisher, int publishConnections, int publishBatch,
    long warmupEvents, Duration drainTimeout, Set<String> ceilings, long ceilingEvents, Duration sampleInterval,
    Duration faultEvery, Duration faultFor, int faults, int runtimeEndpoints, int activeEndpoints, Path out) {

  public Options {
    rates = List.copyOf(rates);
    relaySettings = Map.copyOf(relaySettings);
    relayJvmArgs = List.copyOf(relayJvmArgs);
    ceilings = Set.copyOf(ceilings);
    if (activeEndpoints > runtimeEndpoints) {
      throw new IllegalArgumentException("--active-endpoints (" + activeEndpoints + ") must be at most "
          + "--runtime-endpoints (" + runtimeEndpoints + ")");
    }
  }

  /** The user's arguments over {@code scenarioDefaults} (option name → value) over the catalog defaults. */
  public static Options from(String scenario, Arguments args, Map<String, String> scenarioDefaults) {
    try {
      return merge(scenario, args, scenarioDefaults);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static Options merge(String scenario, Arguments args, Map<String, String> scenarioDefaults) {
    Map<String, String> v = new LinkedHashMap<>();
    OptionCatalog.ALL.forEach(o -> v.put(o.name(), o.fallback()));
    v.putAll(scenarioDefaults);
    v.putAll(args.values());
    Reader r = new Reader(v);
    FaultSchedule schedule = r.schedule();
    return new Options(scenario, r.positiveLong("events"), r.rates(), r.duration("duration"), r.positiveInt("relays"),
        r.bool("compare-single"), r.positiveInt("endpoints"), r.decimal("zipf"), r.positiveInt("payload-bytes"),
        schedule, r.receiverDescription(), relaySettings(args.relaySets()), r.path("relay-jar"), r.words("relay-jvm-args"),
        r.optional("database-url"), r.bool("durable"), r.schema(), Publisher.kind(v.get("publisher")),
        r.positiveInt("publish-connections"), r.positiveInt("publish-batch"), r.nonNegativeLong("warmup-events"),
        r.duration("drain-timeout"), r.ceilings(), r.nonNegativeLong("ceiling-events"), r.duration("sample-interval"),
        r.duration("fault-every"), r.duration("fault-for"), r.positiveInt("faults"), r.positiveInt("runtime-endpoints"),
        r.positiveInt("active-endpoints"), r.out(scenario));
  }

  /** The same options writing to {@code dir} (one scenario of several in a run). */
  public Options withOut(Path dir) {
    return new Options(scenario, events, rates, duration, relays, compareSingle, endpoints, zipf, payloadBytes,
        receiverSchedule, receiverDescription, relaySettings, relayJar, relayJvmArgs, databaseUrl, durable, schema,
        publisher, publishConnections, publishBatch, warmupEvents, drainTimeout, ceilings, ceilingEvents,
        sampleInterval, faultEvery, faultFor, faults, runtimeEndpoints, activeEndpoints, dir);
  }

  public boolean measures(String ceiling) {
    return ceilings.contains(ceiling);
  }

  private static Map<String, String> relaySettings(List<String> sets) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String s : sets) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--relay-set must be KEY=VALUE (a relay.yaml key path), was '" + s + "'");
      }
      out.put(s.substring(0, eq).strip(), s.substring(eq + 1).strip());
    }
    return out;
  }

  /** Typed reads of the merged values; each error names the option. */
  private record Reader(Map<String, String> v) {
    long positiveLong(String name) {
      long n = nonNegativeLong(name);
      if (n == 0) {
        throw new IllegalArgumentException("--" + name + " must be positive");
      }
      return n;
    }

    long nonNegativeLong(String name) {
      try {
        long n = Long.parseLong(v.get(name).replace("_", "").replace(",", ""));
        if (n < 0) {
          throw new IllegalArgumentException("--" + name + " must not be negative, was " + n);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be a whole number, was '" + v.get(name) + "'");
      }
    }

    int positiveInt(String name) {
      return Math.toIntExact(positiveLong(name));
    }

    double decimal(String name) {
      try {
        return Double.parseDouble(v.get(name));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be a number, was '" + v.get(name) + "'");
      }
    }

    boolean bool(String name) {
      String s = v.get(name).toLowerCase(Locale.ROOT);
      if (!s.equals("true") && !s.equals("false")) {
        throw new IllegalArgumentException("--" + name + " must be true or false, was '" + v.get(name) + "'");
      }
      return s.equals("true");
    }

    Duration duration(String name) {
      try {
        Duration d = Durations.parse(v.get(name));
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("must be positive");
        }
        return d;
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--" + name + " " + e.getMessage());
      }
    }

    List<Double> rates() {
      List<Double> out = new ArrayList<>();
      for (String s : v.get("rates").split(",")) {
        try {
          double r = Double.parseDouble(s.strip());
          if (r <= 0) {
            throw new NumberFormatException();
          }
          out.add(r);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--rates must be positive numbers separated by commas, was '" + v.get("rates") + "'");
        }
      }
      return out;
    }

    FaultSchedule schedule() {
      Duration delay;
      try {
        delay = Durations.parse(v.get("receiver-delay"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--receiver-delay " + e.getMessage());
      }
      String spec = v.get("receiver-schedule");
      if (spec.isBlank()) {
        return FaultSchedule.constant(Behaviour.delayed(delay));
      }
      if (!delay.isZero()) {
        throw new IllegalArgumentException("--receiver-delay and --receiver-schedule do not combine: put delay:D in the schedule");
      }
      return FaultSchedule.parse(spec);
    }

    String receiverDescription() {
      String spec = v.get("receiver-schedule");
      if (!spec.isBlank()) {
        return "schedule " + spec;
      }
      String delay = v.get("receiver-delay");
      return Durations.parse(delay).isZero() ? "answers 200 at once" : "answers 200 after " + delay;
    }

    String schema() {
      String s = v.get("schema");
      if (!s.matches("[a-z_][a-z0-9_]{0,50}")) {
        throw new IllegalArgumentException("--schema must be a lower-case SQL identifier of at most 50 characters, was '" + s + "'");
      }
      return s;
    }

    @Nullable Path path(String name) {
      String s = v.get(name);
      return s.isBlank() ? null : Path.of(s);
    }

    @Nullable String optional(String name) {
      String s = v.get(name);
      return s.isBlank() ? null : s;
    }

    List<String> words(String name) {
      String s = v.get(name).strip();
      return s.isEmpty() ? List.of() : Arrays.asList(s.split("\\s+"));
    }

    Set<String> ceilings() {
      Set<String> out = new TreeSet<>();
      for (String s : v.get("ceilings").toLowerCase(Locale.ROOT).split(",")) {
        String c = s.strip();
        if (c.equals("none") || c.isEmpty()) {
          continue;
        }
        if (!c.equals("db") && !c.equals("http")) {
          throw new IllegalArgumentException("--ceilings must be db, http, db,http or none, was '" + v.get("ceilings") + "'");
        }
        out.add(c);
      }
      return out;
    }

    Path out(String scenario) {
      String s = v.get("out");
      if (!s.isBlank()) {
        return Path.of(s);
      }
      String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
      return Path.of("target", "relay-load", scenario + "-" + stamp);
    }
  }
}
