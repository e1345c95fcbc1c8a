package dev.relay.engine.endpoint;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A runtime endpoint to create. The database checks every field (relay.create_endpoint).
 *
 * @param metadataJson a JSON object, as text
 * @param secret a Standard Webhooks secret to use ({@code whsec_...}), or null for a new one
 */
public record NewEndpoint(
    String name,
    String url,
    List<String> eventTypes,
    @Nullable String tenant,
    String metadataJson,
    @Nullable String secret,
    OnDeadLetter onDeadLetter) {

  public NewEndpoint {
    eventTypes = List.copyOf(eventTypes);
  }

  @Override
  public String toString() {
    return "NewEndpoint[name=" + name + ", tenant=" + tenant + ", secret=" + (secret == null ? "new" : "given") + "]";
  }
}
