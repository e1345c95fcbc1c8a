package dev.relay.app.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

/** {@code delivery.auto-disable}: when an endpoint whose every attempt fails is disabled. */
record AutoDisableSection(
    @Nullable Boolean enabled,
    @DurationMin(hours = 1, message = "must be at least 1h: a short outage must not disable an endpoint "
        + "(set enabled: false to turn automatic disabling off)")
    @DurationMax(days = 365, message = "must be at most 365d") @Nullable Duration after,
    @Min(value = 1, message = "must be at least 1")
    @Max(value = 1_000_000, message = "must be at most 1000000") @Nullable Integer minFailedAttempts) {}
