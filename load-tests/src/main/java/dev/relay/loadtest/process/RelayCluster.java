package dev.relay.loadtest.process;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Several relays on one spec, started together and stopped together. */
public final class RelayCluster implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  private final List<RelayProcess> relays;

  private RelayCluster(List<RelayProcess> relays) {
    this.relays = List.copyOf(relays);
  }

  /**
   * Starts {@code count} relays named {@code relay-1..N} (all at once, as a deployment would) and
   * waits until every one is ready. On failure the ones started are stopped.
   */
  public static RelayCluster start(RelaySpec spec, int count, Path dir) throws IOException, InterruptedException {
    List<RelayProcess> started = new ArrayList<>();
    try {
      for (int i = 1; i <= count; i++) {
        started.add(RelayProcess.start(spec, "relay-" + i, dir));
      }
      for (RelayProcess r : started) {
        r.awaitReady(READY_TIMEOUT);
      }
      return new RelayCluster(started);
    } catch (IOException | InterruptedException | RuntimeException e) {
      for (RelayProcess r : started) {
        r.kill();
      }
      throw e;
    }
  }

  public List<RelayProcess> relays() {
    return relays;
  }

  public RelayProcess first() {
    return relays.get(0);
  }

  /** CPU and RSS summed over the relays; peak RSS is the largest single relay's. */
  public ProcSample sample() {
    ProcSample total = ProcSample.NONE;
    for (RelayProcess r : relays) {
      total = total.plus(r.sample());
    }
    return total;
  }

  /** /metrics of every relay, summed; a relay that does not answer counts as nothing. */
  public MetricTotals metrics() throws InterruptedException {
    MetricTotals total = MetricTotals.NONE;
    for (RelayProcess r : relays) {
      try {
        total = total.plus(MetricTotals.parse(r.admin().metrics()));
      } catch (IOException e) {
        // not answering (stopping, or killed by a fault-injection run)
      }
    }
    return total;
  }

  /** SIGTERM to all, then waits for each (SIGKILL after the wait). Exit codes in relay order. */
  public List<Integer> terminate(Duration wait) throws InterruptedException {
    relays.forEach(RelayProcess::requestStop);
    List<Integer> codes = new ArrayList<>();
    for (RelayProcess r : relays) {
      codes.add(r.awaitExit(wait));
    }
    return codes;
  }

  @Override
  public void close() throws InterruptedException {
    terminate(Duration.ofSeconds(40));
  }
}
