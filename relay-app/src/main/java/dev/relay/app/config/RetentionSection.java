package dev.relay.app.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

/** {@code delivery.retention}: what the purger keeps. */
record RetentionSection(
    @DurationMin(minutes = 1, message = "must be at least 1m")
    @DurationMax(days = 3650, message = "must be at most 3650d (ten years)") @Nullable Duration delivered,
    @DurationMin(minutes = 1, message = "must be at least 1m")
    @DurationMax(days = 3650, message = "must be at most 3650d (ten years)") @Nullable Duration dead,
    @DurationMin(seconds = 1, message = "must be at least 1s") @DurationMax(days = 1, message = "must be at most 1d")
    @Nullable Duration interval,
    @Min(value = 1, message = "must be at least 1")
    @Max(value = 100_000, message = "must be at most 100000: larger deletes hold locks for long")
    @Nullable Integer batchSize) {}
