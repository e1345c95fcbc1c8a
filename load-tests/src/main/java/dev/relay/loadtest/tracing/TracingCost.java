package dev.relay.loadtest.tracing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What tracing costs a relay delivering webhooks: the packaged {@code relay.jar run} (as the
 * external benchmark runs it) drains N messages published with a traceparent into a local HTTP
 * sink, in three modes, in the same run, rounds interleaved (each round starting with another mode):
 *
 * <ul>
 *   <li>{@code off}: {@code tracing.enabled: false}, no span, no header;
 *   <li>{@code spans}: the default, a span per attempt and a traceparent to the receiver, not
 *       exported ({@code OTEL_TRACES_EXPORTER} unset);
 *   <li>{@code export}: the same with {@code OTEL_TRACES_EXPORTER=otlp} to a local OTLP/HTTP stub.
 * </ul>
 *
 * Throughput is timed at the sink from the first quarter of the deliveries to the last (the relay's
 * JIT warm-up left out); the relay's CPU time per 1000 deliveries (user + system, from resume to
 * the last delivery, Linux {@code /proc}) is the steadier measure on a shared machine. Numbers are
 * reported, never asserted.
 *
 * <p>Run: {@code ./mvnw -q install -DskipTests && ./mvnw -q -pl load-tests dependency:build-classpath
 * -Dmdep.outputFile=target/cp.txt && java -cp load-tests/target/classes:$(cat load-tests/target/cp.txt)
 * dev.relay.loadtest.tracing.TracingCost 20000 2} (N messages, rounds). {@code RELAY_JAR} names
 * the jar (default relay-app/target/relay.jar).
 */
public final class TracingCost {
  private static final String TOKEN = "tracing-cost-admin-token-0123456789";
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final int BATCH = 1000;

  private TracingCost() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    Path jar = Path.of(System.getenv().getOrDefault("RELAY_JAR", "relay-app/target/relay.jar"));
    ExecutorService threads = Executors.newFixedThreadPool(16);
    Sink sink = new Sink(threads);
    Collector collector = new Collector(threads);
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      System.out.printf("relay %s, %d messages with a traceparent per run, %d rounds, %d cores%n",
          jar, n, rounds, Runtime.getRuntime().availableProcessors());
      Map<String, List<Double>> rates = new LinkedHashMap<>();
      Map<String, List<Double>> cpu = new LinkedHashMap<>();
      int run = 0;
      List<String> modes = List.of("off", "spans", "export");
      for (int round = 0; round < rounds; round++) {
        // Each round starts with another mode, so drift on a shared machine favours none.
        for (int m = 0; m < modes.size(); m++) {
          String mode = modes.get((m + round) % modes.size());
          double[] result = drain(pg, jar, mode, n, "tc_" + run++, sink, collector);
          rates.computeIfAbsent(mode, k -> new ArrayList<>()).add(result[0]);
          cpu.computeIfAbsent(mode, k -> new ArrayList<>()).add(result[1]);
          System.out.printf("  round %d %-6s %,8.0f deliveries/s, relay CPU %,5.0f ms per 1000%n", round + 1, mode,
              result[0], result[1]);
        }
      }
      double off = mean(rates.get("off"));
      double offCpu = mean(cpu.get("off"));
      for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
        double mean = mean(e.getValue());
        double cpuMean = mean(cpu.get(e.getKey()));
        System.out.printf("TRACING  %-6s mean %,8.0f deliveries/s (%+.1f%% vs off), relay CPU %,5.0f ms per 1000"
            + " deliveries (%+.1f%% vs off)%n", e.getKey(), mean, 100 * (mean - off) / off, cpuMean,
            100 * (cpuMean - offCpu) / offCpu);
      }
      System.out.printf("OTLP     %,d export requests, %,d bytes of spans received%n", collector.requests.get(),
          collector.bytes.get());
    } finally {
      sink.server.stop(0);
      collector.server.stop(0);
      threads.shutdownNow();
    }
  }

  /**
   * One run: publish n messages to a paused endpoint, start the relay, resume, time the drain at
   * the sink. Returns {deliveries/s, relay CPU ms per 1000 deliveries}.
   */
  private static double[] drain(EmbeddedPostgres pg, Path jar, String mode, int n, String schema, Sink sink,
      Collector collector) throws Exception {
    int adminPort = freePort();
    Path config = Files.createTempFile("tracing-cost", ".yaml");
    Files.writeString(config, """
        database: {url: "r2dbc:postgresql://127.0.0.1:%d/postgres", user: postgres, schema: %s, pool-size: 8}
        delivery: {claim-batch-size: 250, max-in-flight: 512, endpoint-max-in-flight: 256, poll-interval: 200ms}
        admin: {port: %d, token: %s}
        logging: {level: warn}
        tracing: {enabled: %s}
        endpoints:
          - name: sink
            url: http://127.0.0.1:%d/hook
            secrets: ["%s"]
            paused: true
            allow-http: true
            allowed-networks: [127.0.0.0/8]
        """.formatted(pg.getPort(), schema, adminPort, TOKEN, !mode.equals("off"), sink.port(), SECRET));
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms256m", "-Xmx1g", "-jar", jar.toString(), "run", "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(Files.createTempFile("tracing-cost", ".log").toFile());
    if (mode.equals("export")) {
      pb.environment().put("OTEL_TRACES_EXPORTER", "otlp");
      pb.environment().put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.port());
    }
    Process relay = pb.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI base = URI.create("http://127.0.0.1:" + adminPort);
      waitReady(http, base, relay);
      publish(pg, schema, n);
      sink.reset(n);
      double cpuBefore = cpuMillis(relay.pid());
      HttpResponse<String> resumed = http.send(HttpRequest.newBuilder(base.resolve("/admin/endpoints/sink/resume"))
          .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      if (resumed.statusCode() != 200) {
        throw new IllegalStateException("resume: " + resumed.statusCode() + " " + resumed.body());
      }
      if (!sink.done.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException(mode + ": only " + sink.received.get() + " of " + n + " delivered");
      }
      double cpuPer1000 = (cpuMillis(relay.pid()) - cpuBefore) * 1000 / n;
      return new double[] {(n - sink.startAt) / ((sink.lastNanos.get() - sink.firstNanos.get()) / 1e9), cpuPer1000};
    } finally {
      relay.destroy();
      relay.waitFor(60, TimeUnit.SECONDS);
      Files.deleteIfExists(config);
    }
  }

  private static void waitReady(HttpClient http, URI base, Process relay) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      if (!relay.isAlive()) {
        throw new IllegalStateException("relay exited with " + relay.exitValue());
      }
      try {
        if (http.send(HttpRequest.newBuilder(base.resolve("/health/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("relay not ready within 2 minutes");
  }

  /** n messages in batches of 1000, each with its own random trace context. */
  private static void publish(EmbeddedPostgres pg, String schema, int n) throws Exception {
    try (Connection c = pg.getPostgresDatabase().getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT " + schema + ".publish_batch(?::jsonb)")) {
      HexFormat hex = HexFormat.of();
      for (int done = 0; done < n; done += BATCH) {
        StringBuilder events = new StringBuilder("[");
        for (int i = done; i < Math.min(n, done + BATCH); i++) {
          byte[] trace = new byte[16];
          byte[] span = new byte[8];
          ThreadLocalRandom.current().nextBytes(trace);
          ThreadLocalRandom.current().nextBytes(span);
          events.append(i == done ? "" : ",").append("{\"event_type\": \"bench.traced\", \"payload\": {\"n\": ")
              .append(i).append("}, \"traceparent\": \"00-").append(hex.formatHex(trace)).append('-')
              .append(hex.formatHex(span)).append("-01\"}");
        }
        ps.setString(1, events.append(']').toString());
        ps.execute();
      }
    }
  }

  /** User + system CPU time of a process, from {@code /proc/<pid>/stat} (clock ticks of 10 ms); NaN elsewhere. */
  private static double cpuMillis(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void drainBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }

  /** The webhook receiver: 200 to everything; when a quarter of the expected deliveries and the last arrived. */
  private static final class Sink {
    final HttpServer server;
    final AtomicLong received = new AtomicLong();
    final AtomicLong firstNanos = new AtomicLong();
    final AtomicLong lastNanos = new AtomicLong();
    volatile long expected;
    volatile long startAt;
    volatile java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

    Sink(ExecutorService threads) throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
      server.createContext("/hook", exchange -> {
        drainBody(exchange);
        long now = System.nanoTime();
        long count = received.incrementAndGet();
        if (count == startAt) {
          firstNanos.set(now);
        }
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
        if (count == expected) {
          lastNanos.set(now);
          done.countDown();
        }
      });
      server.setExecutor(threads);
      server.start();
    }

    void reset(long n) {
      received.set(0);
      firstNanos.set(0);
      lastNanos.set(0);
      expected = n;
      startAt = Math.max(1, n / 4);
      done = new java.util.concurrent.CountDownLatch(1);
    }

    int port() {
      return server.getAddress().getPort();
    }
  }

  /** An OTLP/HTTP endpoint that accepts every export (an empty protobuf response is a full success). */
  private static final class Collector {
    final HttpServer server;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();

    Collector(ExecutorService threads) throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
      server.createContext("/v1/traces", exchange -> {
        try (InputStream in = exchange.getRequestBody()) {
          bytes.addAndGet(in.readAllBytes().length);
        }
        requests.incrementAndGet();
        exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
      });
      server.setExecutor(threads);
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }
  }
}
