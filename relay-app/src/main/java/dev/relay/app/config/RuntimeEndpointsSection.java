package dev.relay.app.config;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

/** {@code runtime-endpoints}: endpoints created at runtime (SQL functions, admin API). */
record RuntimeEndpointsSection(
    @Size(max = 10, message = "must list at most 10 keys")
    @Nullable List<@NotNull(message = "must not be empty") String> encryptionKeys,
    @DurationMin(millis = 0, message = "must not be negative")
    @DurationMax(days = 30, message = "must be at most 30d") @Nullable Duration secretOverlap,
    @DurationMin(seconds = 10, message = "must be at least 10s")
    @DurationMax(days = 1, message = "must be at most 1d") @Nullable Duration idleTimeout,
    @Nullable Boolean metricsPerEndpoint,
    @Size(max = 100, message = "must list at most 100 networks")
    @Nullable List<@NotNull(message = "must not be empty") @Checked(TextRules.Network.class) String> allowedNetworks,
    @Nullable Boolean allowHttp) {}
