package dev.relay.engine.endpoint;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What to change in a runtime endpoint; a null field keeps its value.
 *
 * @param metadataJson a JSON object, as text
 */
public record EndpointChange(
    @Nullable String url,
    @Nullable List<String> eventTypes,
    @Nullable String tenant,
    @Nullable String metadataJson,
    @Nullable OnDeadLetter onDeadLetter) {}
