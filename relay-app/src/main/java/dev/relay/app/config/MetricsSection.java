package dev.relay.app.config;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** {@code metrics}. */
record MetricsSection(
    @Nullable Boolean enabled,
    @Nullable Boolean jvm,
    @Size(max = 20, message = "must set at most 20 tags")
    @Nullable Map<@Pattern(regexp = "[a-zA-Z_][a-zA-Z0-9_]{0,99}", message = "must be a Prometheus label name") String,
        @NotNull(message = "must have a value") @Size(max = 200, message = "must be at most 200 characters")
        @Checked(TextRules.VisibleText.class) String> commonTags) {}
