package dev.relay.app.http;

import dev.relay.app.admin.AdminApi;
import dev.relay.app.config.AdminConfig;
import dev.relay.app.health.HealthReport;
import dev.relay.app.health.Liveness;
import dev.relay.app.health.Readiness;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The relay's one HTTP server: {@code GET /metrics} (Prometheus text), {@code GET /health/live},
 * {@code GET /health/ready} and the admin API under {@code /admin}.
 */
public final class HttpApi {
  /** Prometheus text exposition format 0.0.4. */
  public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final AdminConfig config;
  private final @Nullable PrometheusMeterRegistry metrics;
  private final Readiness readiness;
  private final Liveness liveness;
  private final AdminApi admin;

  public HttpApi(AdminConfig config, @Nullable PrometheusMeterRegistry metrics, Readiness readiness,
      Liveness liveness, AdminApi admin) {
    this.config = config;
    this.metrics = metrics;
    this.readiness = readiness;
    this.liveness = liveness;
    this.admin = admin;
  }

  public Mono<? extends DisposableServer> bind() {
    return HttpServer.create()
        .host(config.bind())
        .port(config.port())
        .idleTimeout(Duration.ofSeconds(60))
        // Server metrics with the route, not the raw URI, as tag: bounded cardinality.
        .metrics(true, HttpApi::routeTag)
        .route(routes -> {
          routes.get("/health/live", (req, res) -> {
            HealthReport report = liveness.check();
            return Json.send(res, report.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                report.checks().isEmpty() ? Map.of("status", report.status()) : report);
          });
          routes.get("/health/ready", (req, res) -> readiness.check().flatMap(report -> Mono.from(Json.send(res,
              report.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, report))));
          PrometheusMeterRegistry registry = metrics;
          if (registry != null) {
            routes.get("/metrics", (req, res) -> res
                .header(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE)
                // Scraping walks every meter: keep it off the event loop.
                .sendString(Mono.fromCallable(registry::scrape).subscribeOn(Schedulers.boundedElastic())));
          }
          admin.register(routes);
        })
        .bind();
  }

  static String routeTag(String uri) {
    String path = uri;
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    if (path.startsWith("/admin/endpoints/")) {
      return "/admin/endpoints/{name}" + suffix(path, "/admin/endpoints/");
    }
    if (path.startsWith("/admin/deliveries/")) {
      return "/admin/deliveries/{id}";
    }
    return switch (path) {
      case "/metrics", "/health/live", "/health/ready", "/admin/endpoints", "/admin/deliveries",
          "/admin/dead-letters", "/admin/dead-letters/count", "/admin/dead-letters/replay",
          "/admin/dead-letters/discard", "/admin/publish" -> path;
      default -> "other";
    };
  }

  private static String suffix(String path, String prefix) {
    String rest = path.substring(prefix.length());
    int slash = rest.indexOf('/');
    if (slash < 0) {
      return "";
    }
    String action = rest.substring(slash);
    return action.matches("/(pause|resume|replay)") ? action : "/other";
  }
}
