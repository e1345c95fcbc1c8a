package dev.relay.app.config;

import jakarta.validation.constraints.Pattern;
import org.jspecify.annotations.Nullable;

/** {@code logging}. */
record LoggingSection(
    @Pattern(regexp = "(?i)plain|json", message = "must be plain or json") @Nullable String format,
    @Pattern(regexp = "(?i)trace|debug|info|warn|error", message = "must be one of trace, debug, info, warn, error")
    @Nullable String level) {}
