package dev.relay.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.app.http.Json;
import dev.relay.engine.endpoint.RuntimeEndpoint;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A runtime endpoint in admin API answers: its settings, never its secrets (only whether they are
 * sealed and until when a rotated-out one still signs). The URL's query string is left out: it
 * may carry a token.
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
    return new RuntimeEndpointView(e.name(), withoutQuery(e.url()), e.eventTypes(), e.tenant(),
        Json.read(e.metadataJson()), e.onDeadLetter().key(), e.paused(), e.version(), e.createdAt().toString(),
        e.updatedAt().toString(), e.secretPlain() == null && (!previous || e.previousPlain() == null),
        previous && e.previousExpiresAt() != null ? e.previousExpiresAt().toString() : null);
  }

  private static String withoutQuery(String url) {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query) + "?(query hidden)";
  }
}
