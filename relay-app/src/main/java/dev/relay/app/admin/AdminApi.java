package dev.relay.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.app.http.BadRequest;
import dev.relay.app.http.Conflict;
import dev.relay.app.http.Fields;
import dev.relay.app.http.Bodies;
import dev.relay.app.http.Json;
import dev.relay.app.http.NotFound;
import dev.relay.app.http.Query;
import dev.relay.app.http.Text;
import dev.relay.app.metrics.AppMetricNames;
import dev.relay.engine.RelayEngine;
import dev.relay.engine.deadletter.DeadLetterQuery;
import dev.relay.engine.history.AttemptHistory;
import dev.relay.engine.publish.PublishRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.r2dbc.spi.R2dbcException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * The admin JSON API under {@code /admin}. Every call needs {@code Authorization: Bearer
 * <admin.token>}; without a configured token every call is refused with 401.
 *
 * <pre>
 * GET  /admin/endpoints                        list with state, breaker, backlog, oldest pending age
 * GET  /admin/endpoints/{name}
 * POST /admin/endpoints/{name}/pause           {"reason": "..."}   hold deliveries
 * POST /admin/endpoints/{name}/resume                              release them
 * POST /admin/endpoints/{name}/replay          {"since": "2026-01-31T00:00:00Z"}  re-deliver messages
 * GET  /admin/endpoints/{name}/failures?limit=  its failed attempts, newest first
 * GET  /admin/deliveries/{id}
 * GET  /admin/deliveries/{id}/attempts?limit=  its attempts, oldest first
 * GET  /admin/deliveries?event_id=...          every delivery of one event
 * GET  /admin/messages?event_id=...&limit=     one message, every delivery, all their attempts
 * GET  /admin/dead-letters?endpoint=&event_type=&since=&until=&limit=
 * GET  /admin/dead-letters/count?endpoint=&event_type=&since=&until=
 * POST /admin/dead-letters/replay              {"ids": [..]} or filters, or {"all": true}
 * POST /admin/dead-letters/discard             same selection
 * POST /admin/publish                          {"event_type", "payload", "ordering_key", "event_id", "endpoint",
 *                                               "supersede_key"}
 * ...  /admin/runtime-endpoints                endpoints managed at runtime: see {@link RuntimeEndpointRoutes}
 * </pre>
 */
public final class AdminApi {
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  private static final Set<String> PUBLISH_FIELDS = Set.of("event_type", "payload", "ordering_key", "event_id",
      "endpoint", "tenant", "supersede_key");

  private final RelayEngine engine;
  private final BreakerStates breakers;
  private final BearerAuth auth;
  private final boolean publishEnabled;
  private final MeterRegistry registry;
  private final RuntimeEndpointRoutes runtimeEndpoints;
  private final Refusals refusals = new Refusals(Duration.ofMinutes(1));

  public AdminApi(RelayEngine engine, BreakerStates breakers, @Nullable String token, boolean publishEnabled,
      MeterRegistry registry, RuntimeEndpointRoutes runtimeEndpoints) {
    this.engine = engine;
    this.runtimeEndpoints = runtimeEndpoints;
    this.breakers = breakers;
    this.auth = new BearerAuth(token);
    this.publishEnabled = publishEnabled;
    this.registry = registry;
  }

  public void register(HttpServerRoutes routes) {
    routes
        .get("/admin/endpoints", handle("endpoints.list", req -> engine.endpoints().list()
            .map(s -> EndpointView.of(s, breakers.stateOf(s.name())))
            .collectList()
            .map(list -> Map.of("endpoints", list))))
        .get("/admin/endpoints/{name}", handle("endpoints.get", req -> engine.endpoints().get(name(req))
            .map(s -> (Object) EndpointView.of(s, breakers.stateOf(s.name())))
            .switchIfEmpty(Mono.error(() -> new NotFound("no endpoint named '" + name(req) + "'")))))
        .get("/admin/endpoints/{name}/blocked-keys", handle("endpoints.blocked_keys", req -> {
          int limit = new Query(req.uri()).integer("limit", 1, DeadLetterQuery.MAX_LIMIT, Selection.DEFAULT_LIST_LIMIT);
          return engine.endpoints().get(name(req))
              .switchIfEmpty(Mono.error(() -> new NotFound("no endpoint named '" + name(req) + "'")))
              .thenMany(engine.endpoints().blockedKeys(name(req), limit))
              .collectList()
              .map(keys -> Map.of("endpoint", name(req), "blocked_keys", keys));
        }))
        .post("/admin/endpoints/{name}/pause", handle("endpoints.pause", req -> body(req).flatMap(body -> {
          String reason = Fields.of(body, Set.of("reason")).text("reason", Limits.REASON);
          String why = reason == null ? "paused by an operator" : reason;
          return engine.endpoints().pause(name(req), why).flatMap(found -> endpointResult(req, found));
        })))
        .post("/admin/endpoints/{name}/resume", handle("endpoints.resume", req -> engine.endpoints()
            .resume(name(req))
            .doOnNext(found -> engine.wake())
            .flatMap(found -> endpointResult(req, found))))
        .post("/admin/endpoints/{name}/replay", handle("endpoints.replay", req -> body(req).flatMap(body -> {
          Instant since = Fields.of(body, Set.of("since")).instant("since");
          if (since == null) {
            throw new BadRequest("since is required: replay messages published at or after this instant");
          }
          return engine.endpoints().get(name(req))
              .switchIfEmpty(Mono.error(() -> new NotFound("no endpoint named '" + name(req) + "'")))
              .then(engine.deadLetters().replayMessages(name(req), since))
              .map(n -> Map.of("endpoint", name(req), "since", since.toString(), "replayed", n));
        })))
        .get("/admin/endpoints/{name}/failures", handle("endpoints.failures", req -> {
          int limit = limit(req);
          return engine.endpoints().get(name(req))
              .switchIfEmpty(Mono.error(() -> new NotFound("no endpoint named '" + name(req) + "'")))
              .then(engine.history().failures(name(req), limit))
              .map(list -> Map.of("endpoint", name(req), "failures", list));
        }))
        .get("/admin/deliveries/{id}/attempts", handle("deliveries.attempts", req -> {
          long id = id(req);
          return engine.history().delivery(id, limit(req)).map(h -> (Object) HistoryView.of(h))
              .switchIfEmpty(Mono.error(() -> new NotFound("no delivery with id " + id)));
        }))
        .get("/admin/messages", handle("messages.get", req -> {
          String eventId = new Query(req.uri()).text("event_id", Limits.TEXT);
          if (eventId == null) {
            throw new BadRequest("event_id is required, e.g. /admin/messages?event_id=order-42-paid");
          }
          return engine.history().message(eventId, limit(req)).map(m -> (Object) HistoryView.of(m))
              .switchIfEmpty(Mono.error(() -> new NotFound("no message with event id '" + eventId + "'")));
        }))
        .get("/admin/deliveries/{id}", handle("deliveries.get", req -> {
          long id = id(req);
          return engine.deliveries().findById(id).map(d -> (Object) d)
              .switchIfEmpty(Mono.error(() -> new NotFound("no delivery with id " + id)));
        }))
        .get("/admin/deliveries", handle("deliveries.find", req -> {
          String eventId = new Query(req.uri()).text("event_id", Limits.TEXT);
          if (eventId == null) {
            throw new BadRequest("event_id is required, e.g. /admin/deliveries?event_id=order-42-paid");
          }
          return engine.deliveries().findByEventId(eventId).collectList()
              .map(list -> Map.of("event_id", eventId, "deliveries", list));
        }))
        .get("/admin/dead-letters/count", handle("dead_letters.count", req -> {
          DeadLetterQuery q = Selection.fromQuery(new Query(req.uri()), DeadLetterQuery.MAX_LIMIT).query();
          return engine.deadLetters().count(q).map(n -> Map.of("count", n));
        }))
        .get("/admin/dead-letters", handle("dead_letters.list", req -> {
          DeadLetterQuery q = Selection.fromQuery(new Query(req.uri()), Selection.DEFAULT_LIST_LIMIT).query();
          return engine.deadLetters().list(q).collectList().map(list -> Map.of("dead_letters", list));
        }))
        .post("/admin/dead-letters/replay", handle("dead_letters.replay", req -> body(req).flatMap(body -> {
          Selection s = Selection.fromBody(body);
          Mono<Long> n = s.ids().isEmpty() ? engine.deadLetters().replay(s.query())
              : engine.deadLetters().replayIds(s.ids());
          return n.map(count -> Map.of("replayed", count));
        })))
        .post("/admin/dead-letters/discard", handle("dead_letters.discard", req -> body(req).flatMap(body -> {
          Selection s = Selection.fromBody(body);
          Mono<Long> n = s.ids().isEmpty() ? engine.deadLetters().discard(s.query())
              : engine.deadLetters().discardIds(s.ids());
          return n.map(count -> Map.of("discarded", count));
        })))
        .post("/admin/publish", handle("publish", this::publish));
    runtimeEndpoints.register(routes, this::handle);
    routes
        // Anything else under /admin: 401 without the token (do not reveal which calls exist), else 404.
        .route(req -> req.uri().startsWith("/admin/") || req.uri().equals("/admin"), handle("unknown",
            req -> Mono.error(new NotFound("no admin call " + req.method() + " " + req.fullPath()
                + "; see docs/admin-api.md"))));
  }

  private Mono<Object> publish(HttpServerRequest req) {
    if (!publishEnabled) {
      return Mono.error(new NotFound("publishing over HTTP is off; set admin.publish-enabled: true"));
    }
    return body(req).flatMap(body -> {
      Fields f = Fields.of(body, PUBLISH_FIELDS);
      String eventType = f.text("event_type", Limits.TEXT);
      JsonNode payload = f.node("payload");
      if (eventType == null || payload == null) {
        throw new BadRequest("event_type and payload are required");
      }
      PublishRequest p = new PublishRequest(eventType, Json.write(PayloadCheck.check(payload)),
          f.text("ordering_key", Limits.TEXT), f.text("event_id", Limits.TEXT), f.text("endpoint", Limits.NAME),
          f.text("supersede_key", Limits.TEXT), f.text("tenant", Limits.TEXT));
      return engine.publisher().publish(p).map(id -> {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("message_id", id);
        if (p.eventId() != null) {
          out.put("event_id", p.eventId());
        }
        return out;
      });
    });
  }

  private Mono<Object> endpointResult(HttpServerRequest req, boolean found) {
    if (!found) {
      return Mono.error(new NotFound("no endpoint named '" + name(req) + "'"));
    }
    return engine.endpoints().get(name(req)).map(s -> (Object) EndpointView.of(s, breakers.stateOf(s.name())));
  }

  private BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handle(
      String operation, Function<HttpServerRequest, Mono<?>> action) {
    return (req, res) -> {
      if (!auth.allows(req.requestHeaders().get(HttpHeaderNames.AUTHORIZATION))) {
        count(operation, "unauthorized");
        refusals.refused(operation, auth.enabled());
        res.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"relay-admin\"");
        return Json.error(res, HttpResponseStatus.UNAUTHORIZED, auth.enabled()
            ? "missing or wrong bearer token"
            : "the admin API is off: set admin.token (RELAY_ADMIN_TOKEN)");
      }
      return Mono.defer(() -> action.apply(req))
          .flatMap(body -> {
            count(operation, "ok");
            if (req.method() != io.netty.handler.codec.http.HttpMethod.GET) {
              // Audit trail of operator actions; never the body (it may carry a payload).
              log.info("Admin {} {} done", operation, req.fullPath());
            }
            return Mono.from(Json.send(res, HttpResponseStatus.OK, body));
          })
          .onErrorResume(e -> {
            HttpResponseStatus status = status(e);
            count(operation, status.code() >= 500 ? "error" : "rejected");
            if (status.code() >= 500) {
              log.error("Admin {} failed", operation, e);
              return Mono.from(Json.error(res, status, "internal error; see the relay's log"));
            }
            return Mono.from(Json.error(res, status, String.valueOf(e.getMessage())));
          });
    };
  }

  private static HttpResponseStatus status(Throwable e) {
    if (e instanceof BadRequest) {
      return HttpResponseStatus.BAD_REQUEST;
    }
    if (e instanceof NotFound) {
      return HttpResponseStatus.NOT_FOUND;
    }
    if (e instanceof Conflict) {
      return HttpResponseStatus.CONFLICT;
    }
    if (e instanceof R2dbcException r && String.valueOf(e.getMessage()).startsWith("relay.")) {
      // The SQL functions' own messages (relay.publish, relay.create_endpoint, ...), by SQLSTATE.
      return switch (String.valueOf(r.getSqlState())) {
        case "42704" -> HttpResponseStatus.NOT_FOUND;
        case "23505", "55000" -> HttpResponseStatus.CONFLICT;
        default -> HttpResponseStatus.BAD_REQUEST;
      };
    }
    return HttpResponseStatus.INTERNAL_SERVER_ERROR;
  }

  private void count(String operation, String outcome) {
    Counter.builder(AppMetricNames.ADMIN_REQUESTS)
        .description("Admin API calls by operation and outcome")
        .tag("operation", operation)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  private static Mono<JsonNode> body(HttpServerRequest req) {
    return Bodies.read(req).map(Json::read);
  }

  private static String name(HttpServerRequest req) {
    String name = req.param("name");
    if (name == null || name.isBlank()) {
      throw new BadRequest("endpoint name missing");
    }
    return Text.check("endpoint name", name, Limits.NAME);
  }

  /** Attempts per answer: {@code limit}, default 100, at most {@link AttemptHistory#MAX_LIMIT}. */
  private static int limit(HttpServerRequest req) {
    return new Query(req.uri()).integer("limit", 1, AttemptHistory.MAX_LIMIT, Selection.DEFAULT_LIST_LIMIT);
  }

  private static long id(HttpServerRequest req) {
    String id = req.param("id");
    try {
      return Long.parseLong(String.valueOf(id));
    } catch (NumberFormatException e) {
      throw new BadRequest("delivery id must be a number, was '" + id + "'");
    }
  }
}
