package dev.relay.loadtest.footprint;

import dev.relay.loadtest.ledger.DeliveryLedger;
import dev.relay.loadtest.ledger.EventIds;
import dev.relay.loadtest.ledger.LedgerCounts;
import dev.relay.loadtest.process.MetricTotals;
import dev.relay.loadtest.process.RelayConfigFile;
import dev.relay.loadtest.process.RelayProcess;
import dev.relay.loadtest.process.RelaySpec;
import dev.relay.loadtest.report.Ceilings;
import dev.relay.loadtest.report.Correctness;
import dev.relay.loadtest.report.PhaseResult;
import dev.relay.loadtest.report.RunReport;
import dev.relay.loadtest.report.TargetCheck;
import dev.relay.loadtest.run.Workbench;
import dev.relay.loadtest.scenario.DescribedScenario;
import dev.relay.loadtest.scenario.ScenarioContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code runtime-endpoints}: the packaged relay's memory with many runtime endpoints of which few
 * are active (issue 13: "RSS with 100,000 endpoints, 1,000 of them active").
 *
 * <ol>
 *   <li>baseline: one relay (configuration defaults, one configured endpoint, an encryption key),
 *       a burst of {@value #BURST} events delivered, then RSS, VmHWM, heap after a GC, series;
 *   <li>--runtime-endpoints created by {@code relay.create_endpoint} in chunks of {@value #CREATE_CHUNK}
 *       per transaction (timed), and sealed by the relay (timed until no secret is plain); the
 *       same readings with all of them idle;
 *   <li>--events published round-robin to --active-endpoints of them (20 each at the defaults) and
 *       delivered (rate from the first publish to the last arrival); the readings again.
 * </ol>
 *
 * All runtime endpoints post to the tool's receiver ({@code /t-<i>}) with the run's secret, so
 * every delivery is verified as in the other scenarios. Figures are reported, never asserted.
 */
public final class RuntimeEndpointsScenario extends DescribedScenario {
  private static final int BURST = 2_000;
  private static final int CREATE_CHUNK = 10_000;
  private static final int PUBLISH_CHUNK = 1_000;
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP_WAIT = Duration.ofSeconds(45);
  /** Longest wait for the relay to seal every new secret; then the run goes on and says so. */
  private static final Duration SEAL_TIMEOUT = Duration.ofMinutes(25);
  private static final long RSS_TARGET_MIB = 512;

  public RuntimeEndpointsScenario() {
    super("runtime-endpoints", "relay memory with --runtime-endpoints 100000 created in SQL, --active-endpoints "
        + "1000 of them delivering --events 20000: RSS, heap and series vs a baseline", Map.of("events", "20000"));
  }

  @Override
  public RunReport run(ScenarioContext context) throws Exception {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    var o = context.options();
    List<Footprint> stages = new ArrayList<>();
    List<PhaseResult> phases = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<Integer> exitCodes = new ArrayList<>();
    try (Workbench bench = Workbench.open(context)) {
      RelaySpec spec = bench.spec().withOverrides(runtimeSettings()).withOverrides(o.relaySettings());
      RelayConfigFile.effective(spec);
      RuntimeEndpointSql sql = new RuntimeEndpointSql(bench.schema());
      Path dir = Files.createDirectories(context.out().resolve("relays"));
      FootprintProbe probe = new FootprintProbe(dir);
      context.say("starting a relay from %s (runtime endpoints on, one configured endpoint)", spec.jar().getFileName());
      RelayProcess relay = RelayProcess.start(spec, "relay-1", dir);
      try {
        relay.awaitReady(READY_TIMEOUT);
        phases.add(deliver(bench, relay, "baseline burst", "%,d events to the configured endpoint".formatted(BURST), BURST,
            ps -> ps.setString(4, bench.endpoints().get(0)), sql.publishToOne()));
        stages.add(say(context, probe.read("baseline: 1 configured endpoint, burst delivered", relay)));

        int n = o.runtimeEndpoints();
        double created = createEndpoints(context, bench, sql, n);
        notes.add(String.format(Locale.ROOT, "%,d runtime endpoints created in %.1f s (%,.0f/s, %,d per transaction)",
            n, created, n / created, CREATE_CHUNK));
        notes.add(awaitSealed(context, bench, sql, n));
        stages.add(say(context, probe.read(String.format(Locale.ROOT, "%,d runtime endpoints, all idle", n), relay)));

        int active = o.activeEndpoints();
        long events = o.events();
        phases.add(deliver(bench, relay, String.format(Locale.ROOT, "%,d of %,d runtime endpoints active", active, n),
            String.format(Locale.ROOT, "%,d events round-robin to t-1..t-%d (%,d each), %,d per statement", events,
                active, events / active, PUBLISH_CHUNK), events, ps -> ps.setInt(4, active),
            sql.publishRoundRobin()));
        stages.add(say(context, probe.read(String.format(Locale.ROOT, "%,d runtime endpoints, %,d active", n, active),
            relay)));
      } finally {
        exitCodes.add(relay.terminate(STOP_WAIT));
      }
      String table = FootprintTable.render(stages);
      context.progress().print("\n" + table);
      stages.forEach(f -> notes.add(describe(f, stages.get(0))));
      TimeUnit.SECONDS.sleep(1); // table statistics reach pg_stat_user_tables within about a second
      return new RunReport(name(), String.format(Locale.ROOT, "1 relay; %,d runtime endpoints, %,d active",
          o.runtimeEndpoints(), o.activeEndpoints()), started, (System.nanoTime() - t0) / 1e9, bench.environment(),
          Ceilings.NONE, phases, bench.tableStats(), exitCodes, targets(stages, o.activeEndpoints()), notes);
    }
  }

  /** A fresh encryption key, plain http to the tool's receiver for the runtime endpoints. */
  private static Map<String, String> runtimeSettings() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Map<String, String> s = new LinkedHashMap<>();
    s.put("runtime-endpoints.encryption-keys", Base64.getEncoder().encodeToString(key));
    s.put("webhook.allow-http", "true");
    s.put("webhook.allowed-networks", "127.0.0.0/8");
    // Runtime endpoints have their own network policy; the configured ones' does not apply.
    s.put("runtime-endpoints.allow-http", "true");
    s.put("runtime-endpoints.allowed-networks", "127.0.0.0/8");
    return s;
  }

  /** Creates t-1..t-n in transactions of {@value #CREATE_CHUNK}; the seconds it took. */
  private static double createEndpoints(ScenarioContext context, Workbench bench, RuntimeEndpointSql sql, int n)
      throws SQLException {
    context.say("creating %,d runtime endpoints, %,d per transaction", n, CREATE_CHUNK);
    long start = System.nanoTime();
    try (Connection c = bench.postgres().connect(); PreparedStatement ps = c.prepareStatement(sql.create())) {
      for (int from = 1; from <= n; from += CREATE_CHUNK) {
        ps.setString(1, bench.receiver().url("t-"));
        ps.setString(2, bench.secret());
        ps.setInt(3, from);
        ps.setInt(4, Math.min(n, from + CREATE_CHUNK - 1));
        ps.execute();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    context.say("created %,d runtime endpoints in %.1f s", n, seconds);
    return seconds;
  }

  /**
   * Waits until no runtime endpoint's secret is plain (the relay sealed them all), at most {@link
   * #SEAL_TIMEOUT}; says how long it took, or how many were left.
   */
  private static String awaitSealed(ScenarioContext context, Workbench bench, RuntimeEndpointSql sql, int n)
      throws SQLException, InterruptedException {
    long start = System.nanoTime();
    long deadline = start + SEAL_TIMEOUT.toNanos();
    long reported = start;
    try (Connection c = bench.postgres().connect(); PreparedStatement ps = c.prepareStatement(sql.unsealed())) {
      while (true) {
        long left;
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          left = rs.getLong(1);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (left == 0) {
          context.say("all secrets sealed %.1f s after the last create", seconds);
          return String.format(Locale.ROOT, "secrets sealed by the relay %.1f s after the last create (%,.0f/s)",
              seconds, n / seconds);
        }
        if (System.nanoTime() > deadline) {
          context.say("%,d of %,d secrets still plain after %.0f s; going on", left, n, seconds);
          return String.format(Locale.ROOT, "SEALING UNFINISHED: %,d of %,d secrets still plain %.0f s after the "
              + "last create (%,.0f/s)", left, n, seconds, (n - left) / seconds);
        }
        if (System.nanoTime() - reported > TimeUnit.SECONDS.toNanos(30)) {
          reported = System.nanoTime();
          context.say("sealing: %,d of %,d secrets still plain after %.0f s", left, n, seconds);
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
  }

  /** Sets the endpoint parameter ($4) of a publish statement. */
  @FunctionalInterface
  private interface Target {
    void set(PreparedStatement ps) throws SQLException;
  }

  /** Publishes {@code events} in statements of {@value #PUBLISH_CHUNK} and waits for every arrival. */
  private static PhaseResult deliver(Workbench bench, RelayProcess relay, String name, String load, long events,
      Target target, String statement) throws SQLException, InterruptedException, java.io.IOException {
    MetricTotals before = MetricTotals.parse(relay.admin().metrics());
    EventIds ids = bench.newIds("r");
    DeliveryLedger ledger = new DeliveryLedger(ids, Math.toIntExact(events));
    long badBefore = bench.receiver().counts().badSignatures();
    bench.receiver().listen(ledger);
    bench.context().say("%s: publishing %s", name, load);
    long start = System.nanoTime();
    try (Connection c = bench.postgres().connect(); PreparedStatement ps = c.prepareStatement(statement)) {
      for (long from = 0; from < events; from += PUBLISH_CHUNK) {
        ps.setString(1, ids.tag() + "-");
        ps.setLong(2, System.nanoTime());
        ps.setString(3, ids.tag() + "-");
        target.set(ps);
        ps.setLong(5, from);
        ps.setLong(6, Math.min(events, from + PUBLISH_CHUNK) - 1);
        ps.execute();
      }
    }
    boolean complete = ledger.awaitComplete(bench.options().drainTimeout());
    LedgerCounts counts = ledger.counts();
    long end = complete ? ledger.lastFirstArrivalNanos() : System.nanoTime();
    double seconds = (end - start) / 1e9;
    DeliveryLedger.Missing missing = ledger.missing(events, 5);
    Correctness correctness = new Correctness(events, counts.unique(), events - counts.unique(), counts.duplicates(),
        counts.unexpected(), bench.receiver().counts().badSignatures() - badBefore, !complete, false,
        missing.sample());
    bench.context().say("%s: %,d of %,d delivered in %.2f s (%,.0f/s from the first publish to the last arrival)",
        name, counts.unique(), events, seconds, counts.unique() / seconds);
    MetricTotals d = MetricTotals.parse(relay.admin().metrics()).minus(before);
    double claims = d.get("relay_claim_duration_seconds_count");
    double attempts = d.get("relay_webhook_request_duration_seconds_count");
    return PhaseResult.ofOutcome(name, load, correctness, seconds, List.of(String.format(Locale.ROOT,
        "age at arrival p50 %.1f ms, p99 %.1f ms; relay metrics: %,.0f claims (mean %.1f ms, %.1f rows each), %,.0f "
            + "HTTP attempts (mean %.1f ms)", ledger.latency().total().p50(), ledger.latency().total().p99(), claims,
        per(d.get("relay_claim_duration_seconds_sum") * 1000, claims), per(d.get("relay_claim_batch_size_sum"),
            d.get("relay_claim_batch_size_count")), attempts,
        per(d.get("relay_webhook_request_duration_seconds_sum") * 1000, attempts))));
  }

  private static double per(double total, double count) {
    return count == 0 ? 0 : total / count;
  }

  private static Footprint say(ScenarioContext context, Footprint f) {
    context.say("FOOTPRINT %s: RSS %.0f MiB, VmHWM %.0f MiB, heap used %.0f MiB%s, %,d series, %d endpoint labels",
        f.stage(), f.rssBytes() / 1048576.0, f.peakRssBytes() / 1048576.0, f.heapUsedBytes() / 1048576.0,
        f.afterGc() ? " after GC" : "", f.series(), f.endpointLabels());
    return f;
  }

  private static String describe(Footprint f, Footprint base) {
    return String.format(Locale.ROOT, "%s: RSS %.0f MiB (%.2fx baseline), VmHWM %.0f MiB, heap used %.0f MiB (%.2fx)%s, "
            + "%,d series (%.2fx), %d endpoint label values", f.stage(), f.rssBytes() / 1048576.0, (double) f.rssBytes() / base.rssBytes(),
        f.peakRssBytes() / 1048576.0, f.heapUsedBytes() / 1048576.0, (double) f.heapUsedBytes() / base.heapUsedBytes(),
        f.afterGc() ? " after a full GC" : "", f.series(), (double) f.series() / base.series(), f.endpointLabels());
  }

  private static List<TargetCheck> targets(List<Footprint> stages, int active) {
    if (stages.size() < 3) {
      return List.of();
    }
    Footprint base = stages.get(0);
    Footprint last = stages.get(stages.size() - 1);
    long peakMib = last.peakRssBytes() / (1 << 20);
    return List.of(
        new TargetCheck("peak RSS with every endpoint created and the active ones delivered <= " + RSS_TARGET_MIB
            + " MiB", peakMib + " MiB", peakMib <= RSS_TARGET_MIB),
        new TargetCheck("endpoint label values with " + active + " active runtime endpoints <= baseline + 1 "
            + "(they share endpoint=\"_runtime\")", String.format(Locale.ROOT, "%d vs %d; series %,d vs %,d",
            last.endpointLabels(), base.endpointLabels(), last.series(), base.series()),
            last.endpointLabels() <= base.endpointLabels() + 1));
  }
}
