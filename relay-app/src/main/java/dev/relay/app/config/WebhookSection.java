package dev.relay.app.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

/** {@code webhook}: the HTTP client every endpoint shares. */
record WebhookSection(
    @DurationMin(millis = 100, message = "must be at least 100ms") @DurationMax(minutes = 5, message = "must be at most 5m")
    @Nullable Duration connectTimeout,
    @DurationMin(millis = 100, message = "must be at least 100ms") @DurationMax(hours = 1, message = "must be at most 1h")
    @Nullable Duration attemptDeadline,
    @Min(value = 256, message = "must be at least 256")
    @Max(value = 16 * 1024 * 1024, message = "must be at most 16777216 (16 MiB): response bodies are only kept as a snippet")
    @Nullable Integer maxResponseBytes,
    @Min(value = 1, message = "must be at least 1") @Max(value = 100_000, message = "must be at most 100000")
    @Nullable Integer maxConnections,
    @DurationMin(seconds = 1, message = "must be at least 1s") @DurationMax(hours = 1, message = "must be at most 1h")
    @Nullable Duration poolMaxIdleTime,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
    @Size(max = 100, message = "must list at most 100 networks")
    @Nullable List<@NotNull(message = "must not be empty") @Checked(TextRules.Network.class) String> allowedNetworks,
    @Nullable Boolean allowAnyNetwork,
    @Nullable Boolean allowHttp,
    @Size(min = 1, max = 200, message = "must be 1-200 characters") @Checked(TextRules.VisibleText.class)
    @Nullable String userAgent,
    @DurationMin(millis = 10, message = "must be at least 10ms") @DurationMax(hours = 1, message = "must be at most 1h")
    @Nullable Duration rejectedRetryAfter,
    @Valid @Nullable BreakerSection breaker) {}
