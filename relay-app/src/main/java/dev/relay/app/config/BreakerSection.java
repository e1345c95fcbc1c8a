package dev.relay.app.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

/** {@code webhook.breaker}: the circuit breaker each endpoint gets. */
record BreakerSection(
    @DecimalMin(value = "0", inclusive = false, message = "must be a percentage above 0 and at most 100")
    @DecimalMax(value = "100", message = "must be a percentage above 0 and at most 100") @Nullable Double failureRateThreshold,
    @Min(value = 1, message = "must be at least 1") @Max(value = 10_000, message = "must be at most 10000")
    @Nullable Integer slidingWindow,
    @Min(value = 1, message = "must be at least 1") @Max(value = 10_000, message = "must be at most 10000")
    @Nullable Integer minimumCalls,
    @DurationMin(seconds = 1, message = "must be at least 1s") @DurationMax(days = 1, message = "must be at most 1d")
    @Nullable Duration openDuration,
    @Min(value = 1, message = "must be at least 1") @Max(value = 1000, message = "must be at most 1000")
    @Nullable Integer halfOpenCalls) {}
