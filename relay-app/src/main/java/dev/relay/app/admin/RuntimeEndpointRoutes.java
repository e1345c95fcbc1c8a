package dev.relay.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.app.config.Durations;
import dev.relay.app.endpoints.SecretSealing;
import dev.relay.app.http.BadRequest;
import dev.relay.app.http.Bodies;
import dev.relay.app.http.Conflict;
import dev.relay.app.http.Fields;
import dev.relay.app.http.Json;
import dev.relay.app.http.NotFound;
import dev.relay.app.http.Query;
import dev.relay.app.http.Text;
import dev.relay.engine.endpoint.EndpointChange;
import dev.relay.engine.endpoint.NewEndpoint;
import dev.relay.engine.endpoint.OnDeadLetter;
import dev.relay.engine.endpoint.RuntimeEndpoints;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * The admin API's calls for endpoints managed at runtime: the same operations as the SQL functions
 * ({@code relay.create_endpoint} and friends, which check every field), plus listing by tenant.
 * A secret is answered once, by create and rotate, and sealed before the answer is sent.
 *
 * <pre>
 * GET    /admin/runtime-endpoints?tenant=&amp;after=&amp;limit=   by name, a page at a time
 * GET    /admin/runtime-endpoints/{name}
 * POST   /admin/runtime-endpoints                   {"name", "url", "event_types", "tenant", "metadata", "secret", "on_dead_letter"}
 * PATCH  /admin/runtime-endpoints/{name}            the fields to change
 * DELETE /admin/runtime-endpoints/{name}?reason=    pending deliveries end discarded; answers how many
 * POST   /admin/runtime-endpoints/{name}/rotate-secret  {"secret", "overlap": "24h", "force": false}
 * </pre>
 *
 * Pause, resume, status, failures and replay are the {@code /admin/endpoints/{name}/...} calls,
 * which serve both kinds of endpoint.
 */
public final class RuntimeEndpointRoutes {
  /** Handlers get auth, counting and error answers from the admin API. */
  interface Handlers {
    BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handle(String operation,
        Function<HttpServerRequest, Mono<?>> action);
  }

  private static final String BASE = "/admin/runtime-endpoints";
  private static final Set<String> CREATE_FIELDS = Set.of("name", "url", "event_types", "tenant", "metadata",
      "secret", "on_dead_letter");
  private static final Set<String> UPDATE_FIELDS = Set.of("url", "event_types", "tenant", "metadata",
      "on_dead_letter");
  private static final int MAX_PAGE = 1000;
  private static final int URL_CHARS = 2048;
  private static final int SECRET_CHARS = 200;

  private final RuntimeEndpoints store;
  private final @Nullable SecretSealing sealing;
  private final Duration defaultOverlap;

  /**
   * @param sealing null when this relay has no encryption key: it then refuses to create or
   *     rotate (it could not seal the secret)
   */
  public RuntimeEndpointRoutes(RuntimeEndpoints store, @Nullable SecretSealing sealing, Duration defaultOverlap) {
    this.store = store;
    this.sealing = sealing;
    this.defaultOverlap = defaultOverlap;
  }

  void register(HttpServerRoutes routes, Handlers h) {
    routes
        .get(BASE, h.handle("runtime_endpoints.list", this::list))
        .post(BASE, h.handle("runtime_endpoints.create", req -> body(req).flatMap(this::create)))
        .get(BASE + "/{name}", h.handle("runtime_endpoints.get", req -> view(name(req))))
        // HttpServerRoutes has no patch(): match it by hand, the name is the last path segment.
        .route(req -> req.method().equals(HttpMethod.PATCH) && patchedName(req) != null,
            h.handle("runtime_endpoints.update", req -> body(req).flatMap(b -> update(
                Text.check("endpoint name", String.valueOf(patchedName(req)), Limits.NAME), b))))
        .delete(BASE + "/{name}", h.handle("runtime_endpoints.delete", req -> {
          String name = name(req);
          String reason = new Query(req.uri()).text("reason", Limits.REASON);
          return store.delete(name, reason).map(n -> Map.of("name", name, "discarded", n));
        }))
        .post(BASE + "/{name}/rotate-secret",
            h.handle("runtime_endpoints.rotate_secret", req -> body(req).flatMap(b -> rotate(name(req), b))));
  }

  private Mono<Object> list(HttpServerRequest req) {
    Query q = new Query(req.uri());
    String tenant = q.text("tenant", Limits.TEXT);
    String after = q.text("after", Limits.NAME);
    int limit = q.integer("limit", 1, MAX_PAGE, Selection.DEFAULT_LIST_LIMIT);
    return store.list(tenant, after == null ? "" : after, limit).map(RuntimeEndpointView::of).collectList()
        .map(list -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("endpoints", list);
          out.put("next_after", list.size() == limit ? list.get(list.size() - 1).name() : null);
          return out;
        });
  }

  private Mono<Object> create(JsonNode body) {
    SecretSealing seal = requireSealing();
    Fields f = Fields.of(body, CREATE_FIELDS);
    String name = f.text("name", Limits.NAME);
    String url = f.text("url", URL_CHARS);
    if (name == null || url == null) {
      throw new BadRequest("name and url are required");
    }
    NewEndpoint e = new NewEndpoint(name, url, types(f), f.text("tenant", Limits.TEXT), metadata(f, "{}"),
        f.text("secret", SECRET_CHARS), onDeadLetter(f, OnDeadLetter.SKIP));
    return store.create(e)
        .flatMap(secret -> seal.sealOne(name)
            .then(view(name))
            // The secret is answered whatever happens after the create committed: it is never
            // shown again.
            .onErrorResume(x -> Mono.just(Map.of("name", name)))
            .map(view -> {
              Map<String, Object> out = new LinkedHashMap<>();
              out.put("endpoint", view);
              out.put("secret", secret);
              return out;
            }));
  }

  private Mono<Object> update(String name, JsonNode body) {
    Fields f = Fields.of(body, UPDATE_FIELDS);
    List<String> types = f.node("event_types") == null ? null : types(f);
    OnDeadLetter onDeadLetter = f.node("on_dead_letter") == null ? null : onDeadLetter(f, OnDeadLetter.SKIP);
    EndpointChange change = new EndpointChange(f.text("url", URL_CHARS), types, f.text("tenant", Limits.TEXT),
        metadata(f, null), onDeadLetter);
    return store.update(name, change).then(view(name));
  }

  private Mono<Object> rotate(String name, JsonNode body) {
    SecretSealing seal = requireSealing();
    Fields f = Fields.of(body, Set.of("secret", "overlap", "force"));
    String overlapText = f.text("overlap", 32);
    Duration overlap;
    try {
      overlap = overlapText == null ? defaultOverlap : Durations.parse(overlapText);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("overlap " + e.getMessage());
    }
    return store.rotateSecret(name, f.text("secret", SECRET_CHARS), overlap, f.bool("force"))
        .flatMap(secret -> seal.sealOne(name)
            .then(store.find(name).map(e -> Optional.ofNullable(RuntimeEndpointView.of(e).previousSecretSignsUntil())))
            .onErrorResume(e -> Mono.just(Optional.empty()))
            .map(until -> {
              // The secret is answered whatever happens after the rotation committed: it is
              // never shown again.
              Map<String, Object> out = new LinkedHashMap<>();
              out.put("name", name);
              out.put("secret", secret);
              out.put("previous_secret_signs_until", until.orElse(null));
              return out;
            }));
  }

  private Mono<Object> view(String name) {
    return store.find(name).<Object>map(RuntimeEndpointView::of)
        .switchIfEmpty(Mono.error(() -> new NotFound("no runtime endpoint named '" + name + "'")));
  }

  private SecretSealing requireSealing() {
    if (sealing == null) {
      throw new Conflict("this relay has no runtime-endpoints.encryption-keys, so it cannot seal signing secrets;"
          + " configure a key (openssl rand -base64 32) to manage endpoints at runtime");
    }
    return sealing;
  }

  private static List<String> types(Fields f) {
    JsonNode n = f.node("event_types");
    if (n == null) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new BadRequest("event_types must be an array of event types (patterns with *)");
    }
    List<String> out = new ArrayList<>(n.size());
    for (JsonNode t : n) {
      if (!t.isTextual()) {
        throw new BadRequest("event_types must contain strings");
      }
      out.add(Text.check("event_types[]", t.textValue(), Limits.TEXT));
    }
    return out;
  }

  private static @Nullable String metadata(Fields f, @Nullable String fallback) {
    JsonNode n = f.node("metadata");
    if (n == null) {
      return fallback;
    }
    if (!n.isObject()) {
      throw new BadRequest("metadata must be a JSON object");
    }
    return Json.write(n);
  }

  private static OnDeadLetter onDeadLetter(Fields f, OnDeadLetter fallback) {
    String value = f.text("on_dead_letter", 16);
    if (value == null) {
      return fallback;
    }
    try {
      return OnDeadLetter.parse(value);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("on_dead_letter must be skip or block");
    }
  }

  /** The name in {@code PATCH /admin/runtime-endpoints/{name}}, or null for another path. */
  private static @Nullable String patchedName(HttpServerRequest req) {
    String path = req.fullPath();
    String prefix = BASE + "/";
    if (!path.startsWith(prefix) || path.length() == prefix.length() || path.indexOf('/', prefix.length()) >= 0) {
      return null;
    }
    return java.net.URLDecoder.decode(path.substring(prefix.length()), java.nio.charset.StandardCharsets.UTF_8);
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
}
