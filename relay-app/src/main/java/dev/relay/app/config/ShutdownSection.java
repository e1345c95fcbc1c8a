package dev.relay.app.config;

import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

/** {@code shutdown}. */
record ShutdownSection(
    @DurationMin(millis = 0, message = "must not be negative")
    @DurationMax(hours = 1, message = "must be at most 1h: orchestrators kill a process that takes longer")
    @Nullable Duration gracePeriod) {}
