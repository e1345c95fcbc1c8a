package dev.relay.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.app.http.Json;
import dev.relay.engine.endpoint.RuntimeEndpoint;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A runtime endpoint in admin API answers: its settings, never its secrets (only whether they are
 * sealed and until when a rotated-out one still signs). Only the URL's scheme, host and port are
 * shown: its path or query may carry a token.
 */
record RuntimeEndpointView(
    String name,
    String url,
    List<String> eventTypes,
    @Nullable String tenant,
    JsonNode metadata,
    String onDeadLetter,
    boolean paused,
    long version,
    String createdAt,
    String updatedAt,
    boolean secretSealed,
    @Nullable String previousSecretSignsUntil) {

  static RuntimeEndpointView of(RuntimeEndpoint e) {
    boolean previous = e.previousLeft() != null && !e.previousLeft().isZero();
    return new RuntimeEndpointView(e.name(), hostOnly(e.url()), e.eventTypes(), e.tenant(),
        Json.read(e.metadataJson()), e.onDeadLetter().key(), e.paused(), e.version(), e.createdAt().toString(),
        e.updatedAt().toString(), e.secretPlain() == null && (!previous || e.previousPlain() == null),
        previous && e.previousExpiresAt() != null ? e.previousExpiresAt().toString() : null);
  }

  /** Scheme, host and port only: webhook URLs often carry a token in the path or the query. */
  private static String hostOnly(String url) {
    int host = url.indexOf("://");
    int end = host < 0 ? -1 : url.indexOf('/', host + 3);
    int query = url.indexOf('?', Math.max(host + 3, 0));
    int cut = end < 0 ? query : query < 0 ? end : Math.min(end, query);
    return cut < 0 ? url : url.substring(0, cut) + "/(path hidden)";
  }
}
