package dev.relay.loadtest.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.loadtest.process.HealthAnswer;
import dev.relay.loadtest.process.RelayProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Polls {@code /health/ready} of some relays every {@value #EVERY_MILLIS} ms on a thread of its
 * own and keeps every change of answer: when, which relay, the status, and the failing checks'
 * reasons. Tells when a relay first reported an outage, and when it was ready again.
 */
final class ReadinessWatch implements AutoCloseable {
  private static final long EVERY_MILLIS = 200;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An answer that differs from the relay's previous one, {@code atSeconds} after the watch's origin. */
  record Change(double atSeconds, String relay, int status, String reason) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.1fs %s %s%s", atSeconds, relay, status < 0 ? "no answer" : status,
          reason.isEmpty() ? "" : " (" + reason + ")");
    }
  }

  private final List<RelayProcess> relays;
  private final long originNanos;
  private final List<Change> changes = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> last = new HashMap<>();
  private final Thread thread;
  private volatile boolean stop;

  ReadinessWatch(List<RelayProcess> relays, long originNanos) {
    this.relays = List.copyOf(relays);
    this.originNanos = originNanos;
    this.thread = new Thread(this::loop, "readiness-watch");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      while (!stop) {
        for (RelayProcess r : relays) {
          HealthAnswer a = r.admin().health("/health/ready");
          Integer previous = last.put(r.name(), a.status());
          if (previous == null || previous != a.status()) {
            changes.add(new Change(seconds(System.nanoTime()), r.name(), a.status(), reason(a)));
          }
        }
        Thread.sleep(EVERY_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  double seconds(long nanos) {
    return (nanos - originNanos) / 1e9;
  }

  /** The failing checks of a not-ready answer, "name: detail; ...", or the connection error. */
  static String reason(HealthAnswer a) {
    if (a.ok()) {
      return "";
    }
    if (!a.answered()) {
      return a.body();
    }
    try {
      List<String> failing = new ArrayList<>();
      JsonNode checks = JSON.readTree(a.body()).path("checks");
      checks.fields().forEachRemaining(e -> {
        if (!e.getValue().path("ok").asBoolean(true)) {
          failing.add(e.getKey() + ": " + e.getValue().path("detail").asText());
        }
      });
      return failing.isEmpty() ? a.body() : String.join("; ", failing);
    } catch (IOException e) {
      return a.body();
    }
  }

  List<Change> changes() {
    return List.copyOf(changes);
  }

  /** The first not-ready (or unanswered) reading of {@code relay} at or after {@code fromSeconds}. */
  Optional<Change> firstNotReady(String relay, double fromSeconds) {
    return changes.stream().filter(c -> c.relay().equals(relay) && c.atSeconds() >= fromSeconds && c.status() != 200)
        .findFirst();
  }

  /** The first ready reading of {@code relay} at or after {@code fromSeconds}. */
  Optional<Change> firstReady(String relay, double fromSeconds) {
    return changes.stream().filter(c -> c.relay().equals(relay) && c.atSeconds() >= fromSeconds && c.status() == 200)
        .findFirst();
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.join(Duration.ofSeconds(15).toMillis());
  }
}
