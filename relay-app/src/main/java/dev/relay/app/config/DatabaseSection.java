package dev.relay.app.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

/** {@code database}: every value here is secret-bearing and never printed. */
record DatabaseSection(
    @NotBlank(message = "is required") @Size(max = 2048, message = "must be at most 2048 characters") @Nullable String url,
    @Size(min = 1, max = 63, message = "must be 1-63 characters (a Postgres role name)") @Nullable String user,
    @Size(max = 1024, message = "must be at most 1024 characters") @Nullable String password,
    @Pattern(regexp = "[a-z_][a-z0-9_]{0,62}", message = "must be a lower-case SQL identifier (letters, digits, _; at most 63)")
    @Nullable String schema,
    @Min(value = 1, message = "must be at least 1")
    @Max(value = 200, message = "must be at most 200: each relay holds this many connections, and Postgres allows 100 by default")
    @Nullable Integer poolSize,
    @DurationMin(millis = 100, message = "must be at least 100ms")
    @DurationMax(minutes = 5, message = "must be at most 5m: a start that waits longer looks hung")
    java.time.@Nullable Duration connectTimeout,
    @DurationMin(millis = 500, message = "must be at least 500ms: a busy database answers a claim in tens of ms, a loaded one in seconds")
    @DurationMax(minutes = 5, message = "must be at most 5m: a frozen connection is noticed only after it")
    java.time.@Nullable Duration statementTimeout,
    @Nullable Boolean migrate,
    @Pattern(regexp = "disable|allow|prefer|require|verify-ca|verify-full",
        message = "must be disable, allow, prefer, require, verify-ca or verify-full") @Nullable String sslMode,
    @Checked(TextRules.ReadableFile.class) @Nullable String sslRootCert,
    @Checked(TextRules.ReadableFile.class) @Nullable String sslCert,
    @Checked(TextRules.ReadableFile.class) @Nullable String sslKey) {}
