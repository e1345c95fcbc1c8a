package dev.relay.loadtest.reliability;

import dev.relay.loadtest.cli.Options;
import dev.relay.loadtest.cli.UsageException;
import dev.relay.loadtest.report.Ceilings;
import dev.relay.loadtest.report.Correctness;
import dev.relay.loadtest.report.PhaseResult;
import dev.relay.loadtest.report.RunReport;
import dev.relay.loadtest.report.TargetCheck;
import dev.relay.loadtest.scenario.DescribedScenario;
import dev.relay.loadtest.scenario.ScenarioContext;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code reliability <name|all>}: runs one fault scenario, or every one in turn, each with its own
 * defaults under the user's options, its own schema and its output in {@code out/<name>/}; prints
 * the reliability table (also {@code reliability.txt}) and reports each scenario's criteria as
 * the run's pass criteria (exit code 1 if one fails).
 */
public final class ReliabilityScenario extends DescribedScenario {
  /** Marks the pass criteria about speed of recovery (CI asserts the others only: machines vary). */
  public static final String TIMING = "[timing]";

  private static final Map<String, FaultScenario> FAULTS = index(
      RelayChurn.kill9(), RelayChurn.sigterm(), new PostgresRestart(), new BackendKills(),
      new Blackhole(), new ReceiverFaults(), new Storm(), new LongTransaction(), new PoolExhaustion());

  public ReliabilityScenario() {
    super("reliability", "<name|all>: the relay under faults, nothing lost; names: " + String.join(", ",
        FAULTS.keySet()) + " (load-tests/README.md)", Map.of());
  }

  @Override
  public List<String> operands() {
    return Stream.concat(FAULTS.keySet().stream(), Stream.of("all")).toList();
  }

  /** Each fault scenario's name and one-line summary, for help and the README. */
  public static Map<String, String> summaries() {
    Map<String, String> out = new LinkedHashMap<>();
    FAULTS.forEach((name, f) -> out.put(name, f.summary()));
    return out;
  }

  @Override
  public RunReport run(ScenarioContext context) throws Exception {
    String which = context.arguments().operand();
    if (which == null) {
      throw new UsageException("name a reliability scenario, or all: one of " + operands());
    }
    List<FaultScenario> chosen = which.equals("all") ? List.copyOf(FAULTS.values()) : List.of(FAULTS.get(which));
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    List<FaultResult> results = new ArrayList<>();
    for (FaultScenario f : chosen) {
      results.add(runOne(context, f));
    }
    String table = ReliabilityTable.render(results);
    context.progress().println();
    context.progress().print(table);
    Files.writeString(context.out().resolve("reliability.txt"), table);
    return report(which, results, started, (System.nanoTime() - t0) / 1e9);
  }

  private static FaultResult runOne(ScenarioContext context, FaultScenario f) throws Exception {
    Options o = Options.from(f.name(), context.arguments(), f.defaults()).withOut(context.out().resolve(f.name()));
    Files.createDirectories(o.out());
    ScenarioContext sub = context.with(o, o.out());
    sub.say("%s: %s", f.name(), f.summary());
    long t0 = System.nanoTime();
    try (FaultRun run = FaultRun.open(f.name(), sub, f.relaySettings())) {
      return f.run(run);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      sub.say("%s: FAILED to run: %s", f.name(), e);
      e.printStackTrace(sub.progress());
      return FaultResult.failed(f.name(), f.summary(), e, (System.nanoTime() - t0) / 1e9);
    }
  }

  private static RunReport report(String which, List<FaultResult> results, Instant started, double wall) {
    List<PhaseResult> phases = new ArrayList<>();
    List<TargetCheck> criteria = new ArrayList<>();
    List<Integer> exitCodes = new ArrayList<>();
    for (FaultResult r : results) {
      Tally t = r.tally();
      Correctness c = new Correctness(t.events(), t.delivered(), t.lost(), t.duplicates(), r.unexpected(), 0, false,
          true, t.missingSample());
      phases.add(PhaseResult.ofOutcome(r.scenario(), r.size(), c, r.seconds(), r.figures()));
      r.correctness().forEach(check -> criteria.add(
          new TargetCheck(r.scenario() + ": " + check.target(), check.measured(), check.met())));
      r.timing().forEach(check -> criteria.add(
          new TargetCheck(r.scenario() + ": " + check.target() + " " + TIMING, check.measured(), check.met())));
      exitCodes.addAll(r.exitCodes());
    }
    return new RunReport("reliability " + which, "the packaged relay under faults, judged by what arrived",
        started, wall, null, Ceilings.NONE, phases, List.of(), exitCodes, List.of(), List.of(), criteria);
  }

  private static Map<String, FaultScenario> index(FaultScenario... faults) {
    Map<String, FaultScenario> m = new LinkedHashMap<>();
    for (FaultScenario f : faults) {
      m.put(f.name(), f);
    }
    return m;
  }
}
