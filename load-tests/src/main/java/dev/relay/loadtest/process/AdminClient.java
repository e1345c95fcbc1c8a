package dev.relay.loadtest.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The few admin and health calls a load run needs, blocking (for the tool's driver thread, never
 * an event loop).
 */
public final class AdminClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** Calls in flight at once when pausing or resuming many endpoints. */
  private static final int PARALLEL = 16;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final String base;
  private final String token;

  public AdminClient(int port, String token) {
    this.base = "http://127.0.0.1:" + port;
    this.token = token;
  }

  /** True if /health/ready answers 200; false if not ready or not listening yet. */
  public boolean ready() throws InterruptedException {
    try {
      return get("/health/ready").statusCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * GET of a health path ({@code /health/ready}, {@code /health/live}): the status and the body
   * (which names the failing check); status -1 with the error when nothing answered.
   */
  public HealthAnswer health(String path) throws InterruptedException {
    try {
      HttpResponse<String> r = get(path);
      return new HealthAnswer(r.statusCode(), r.body());
    } catch (IOException e) {
      return new HealthAnswer(-1, e.toString());
    }
  }

  /** POST /admin/endpoints/{name}/pause for each, {@value #PARALLEL} at a time. */
  public void pause(List<String> endpoints) throws IOException, InterruptedException {
    postEach(endpoints, "/pause", "{\"reason\": \"load test\"}");
  }

  /** POST /admin/endpoints/{name}/resume for each, {@value #PARALLEL} at a time. */
  public void resume(List<String> endpoints) throws IOException, InterruptedException {
    postEach(endpoints, "/resume", "{}");
  }

  /** The Prometheus text of /metrics. */
  public String metrics() throws IOException, InterruptedException {
    return get("/metrics").body();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void postEach(List<String> endpoints, String action, String json) throws IOException, InterruptedException {
    for (int i = 0; i < endpoints.size(); i += PARALLEL) {
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (String e : endpoints.subList(i, Math.min(endpoints.size(), i + PARALLEL))) {
        calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/admin/endpoints/" + e + action))
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> call : calls) {
        HttpResponse<String> r;
        try {
          r = call.get();
        } catch (ExecutionException ex) {
          throw new IOException("admin call failed: " + ex.getCause(), ex.getCause());
        }
        if (r.statusCode() / 100 != 2) {
          throw new IOException("POST " + r.uri().getPath() + " answered " + r.statusCode() + ": " + r.body());
        }
      }
    }
  }
}
