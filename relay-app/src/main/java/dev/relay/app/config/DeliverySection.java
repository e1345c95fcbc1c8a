package dev.relay.app.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

/** {@code delivery}: the engine's loop. Bounds keep memory, statements and timers sane. */
record DeliverySection(
    @Min(value = 1, message = "must be at least 1")
    @Max(value = 10_000, message = "must be at most 10000: every in-flight delivery holds its payload in memory")
    @Nullable Integer maxInFlight,
    @Min(value = 1, message = "must be at least 1") @Max(value = 1000, message = "must be at most 1000 rows per claim statement")
    @Nullable Integer claimBatchSize,
    @Min(value = 1, message = "must be at least 1") @Max(value = 10_000, message = "must be at most 10000")
    @Nullable Integer endpointMaxInFlight,
    @DurationMin(seconds = 2, message = "must be at least 2s")
    @DurationMax(hours = 24, message = "must be at most 24h: a crashed relay's rows wait this long")
    @Nullable Duration lease,
    @DurationMin(seconds = 1, message = "must be at least 1s") @DurationMax(hours = 1, message = "must be at most 1h")
    @Nullable Duration attemptTimeout,
    @DurationMin(millis = 10, message = "must be at least 10ms") @DurationMax(hours = 1, message = "must be at most 1h")
    @Nullable Duration pollInterval,
    @DurationMin(millis = 10, message = "must be at least 10ms") @DurationMax(hours = 1, message = "must be at most 1h")
    @Nullable Duration pollIntervalWithoutNotify,
    @Min(value = 1, message = "must be at least 1") @Max(value = 10_000, message = "must be at most 10000")
    @Nullable Integer settleBatchSize,
    @DurationMin(millis = 1, message = "must be at least 1ms")
    @DurationMax(seconds = 10, message = "must be at most 10s: outcomes wait this long before they are written")
    @Nullable Duration settleLinger,
    @Min(value = 1, message = "must be at least 1")
    @Max(value = 16 * 1024 * 1024, message = "must be at most 16777216 (16 MiB): payloads are held in memory while delivered")
    @Nullable Integer maxPayloadBytes,
    @DurationMin(millis = 100, message = "must be at least 100ms") @DurationMax(hours = 1, message = "must be at most 1h")
    @Nullable Duration gaugeRefresh,
    @Valid @Nullable RetrySection retry,
    @Valid @Nullable RetentionSection retention,
    @Valid @Nullable AutoDisableSection autoDisable) {}
