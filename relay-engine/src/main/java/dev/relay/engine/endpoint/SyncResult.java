package dev.relay.engine.endpoint;

import java.util.List;

/** What an endpoint sync changed. */
public record SyncResult(List<String> added, List<String> updated, List<String> removed) {}
