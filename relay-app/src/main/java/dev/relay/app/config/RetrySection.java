package dev.relay.app.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

/** {@code delivery.retry}: capped exponential backoff with jitter. */
record RetrySection(
    @DurationMin(millis = 1, message = "must be at least 1ms") @DurationMax(days = 1, message = "must be at most 1d")
    @Nullable Duration initial,
    @DecimalMin(value = "1", message = "must be at least 1 (delays must not shrink)")
    @DecimalMax(value = "100", message = "must be at most 100") @Nullable Double factor,
    @DurationMin(millis = 1, message = "must be at least 1ms")
    @DurationMax(days = 7, message = "must be at most 7d: retention would purge the row before its next attempt")
    @Nullable Duration cap,
    @DecimalMin(value = "0", message = "must be within 0..1") @DecimalMax(value = "1", message = "must be within 0..1")
    @Nullable Double jitter,
    @Min(value = 1, message = "must be at least 1") @Max(value = 1000, message = "must be at most 1000")
    @Nullable Integer maxAttempts,
    @DurationMin(seconds = 1, message = "must be at least 1s") @DurationMax(days = 7, message = "must be at most 7d")
    @Nullable Duration maxRetryAfter) {}
