package dev.relay.loadtest.cli;

import java.util.List;
import java.util.Optional;

/** Every option the tool takes. Scenarios change defaults, never the set. */
public final class OptionCatalog {
  public static final List<OptionSpec> ALL = List.of(
      new OptionSpec("events", "N", "50000", "events per drain, or round trips in latency"),
      new OptionSpec("rates", "R[,R...]", "500", "open-loop rates in events/s, one phase each (steady, soak)"),
      new OptionSpec("duration", "D", "60s", "how long each open-loop rate runs"),
      new OptionSpec("relays", "N", "1", "relay processes (java -jar relay.jar run)"),
      new OptionSpec("compare-single", "true|false", "false", "multi: also drain with one relay, for the ratio"),
      new OptionSpec("endpoints", "N", "1", "endpoints in the generated relay.yaml"),
      new OptionSpec("zipf", "S", "1.0", "with several endpoints, traffic share of endpoint k is ~ 1/k^S (0 = uniform)"),
      new OptionSpec("payload-bytes", "N", "1024", "JSON body size {\"id\",\"publishedAtNanos\",\"data\":\"x...\"}"),
      new OptionSpec("receiver-delay", "D", "0ms", "every answer waits D (slow-receiver: 20ms)"),
      new OptionSpec("receiver-schedule", "SPEC", "", "faults over time, e.g. 0s=delay:2ms,30s=error:503:0.2+reset:0.05,60s=hang:0.01,90s=ok"),
      new OptionSpec("relay-set", "KEY=VALUE", "", "relay config override, repeatable, e.g. delivery.max-in-flight=1000"),
      new OptionSpec("relay-jar", "PATH", "", "the packaged relay (default: $RELAY_JAR, else relay-app/target/relay.jar)"),
      new OptionSpec("relay-jvm-args", "'ARGS'", "", "JVM options for each relay (default none, as users run java -jar)"),
      new OptionSpec("database-url", "URL", "", "postgresql://user:password@host:5432/db instead of an embedded Postgres 17"),
      new OptionSpec("durable", "true|false", "true", "embedded Postgres with fsync, synchronous_commit and "
          + "full_page_writes on, as shipped (false: the embedded defaults, all off)"),
      new OptionSpec("schema", "NAME", "relay_load", "relay schema; DROPPED and recreated at start (and NAME_ceiling)"),
      new OptionSpec("publisher", "jdbc|r2dbc", "jdbc", "how relay.publish() is called"),
      new OptionSpec("publish-connections", "N", "4", "publisher connections (concurrent publish calls)"),
      new OptionSpec("publish-batch", "N", "1", "most events per publish statement (one transaction)"),
      new OptionSpec("warmup-events", "N", "5000", "events sent at 1000/s and delivered before measuring (0 = none)"),
      new OptionSpec("drain-timeout", "D", "300s", "longest wait for a phase's deliveries; then 'timed out, N of M'"),
      new OptionSpec("ceilings", "db,http|none", "db,http", "which ceilings to measure in the run"),
      new OptionSpec("ceiling-events", "N", "0", "events per ceiling measurement (0 = the phase's, at most 50000)"),
      new OptionSpec("sample-interval", "D", "1s", "time-series resolution"),
      new OptionSpec("fault-every", "D", "5s", "reliability: time between faults (kill9, sigterm: a relay killed; "
          + "backend-kills: every relay connection terminated; pg-restart: between restarts)"),
      new OptionSpec("fault-for", "D", "5m", "reliability: how long a fault lasts (blackhole, storm, long-transaction, "
          + "backend-kills; pg-restart: how long Postgres stays down)"),
      new OptionSpec("faults", "N", "2", "reliability pg-restart: how many restarts"),
      new OptionSpec("runtime-endpoints", "N", "100000", "runtime-endpoints: endpoints created with relay.create_endpoint"),
      new OptionSpec("active-endpoints", "N", "1000", "runtime-endpoints: how many of them receive --events"),
      new OptionSpec("out", "DIR", "", "where summary.txt, report.json, report.html and relay logs go "
          + "(default target/relay-load/<scenario>-<time>)"),
      new OptionSpec("help", "", "", "this text"));

  private OptionCatalog() {}

  public static Optional<OptionSpec> find(String name) {
    return ALL.stream().filter(o -> o.name().equals(name)).findFirst();
  }
}
