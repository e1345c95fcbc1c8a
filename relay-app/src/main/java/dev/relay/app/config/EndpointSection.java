package dev.relay.app.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** One entry of {@code endpoints} as written. */
record EndpointSection(
    @NotNull(message = "is required")
    @Pattern(regexp = "[a-z0-9][a-z0-9._-]{0,62}",
        message = "must be 1-63 lower-case letters, digits, '.', '_' or '-' starting with a letter or digit")
    @Nullable String name,
    @NotNull(message = "is required") @Size(max = 2048, message = "must be at most 2048 characters")
    @Checked(TextRules.WebhookUrl.class) @Nullable String url,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
    @NotEmpty(message = "is required: at least one whsec_ signing secret")
    @Size(max = 10, message = "must list at most 10 secrets (each signs every request)")
    @Nullable List<@NotNull(message = "must not be empty") @Checked(TextRules.SigningSecretText.class) String> secrets,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
    @Size(max = 100, message = "must list at most 100 patterns")
    @Nullable List<@NotNull(message = "must not be empty")
        @Pattern(regexp = "[A-Za-z0-9_:*/-]{1,200}(\\.[A-Za-z0-9_:*/-]{1,200}){0,20}",
            message = "must be an event type or a pattern such as invoice.* or *") String> eventTypes,
    @Size(max = 50, message = "must set at most 50 headers")
    @Nullable Map<@Checked(TextRules.HeaderName.class) String,
        @NotNull(message = "must have a value") @Size(max = 8192, message = "must be at most 8192 characters")
        @Checked(TextRules.HeaderValue.class) String> headers,
    @Min(value = 1, message = "must be at least 1") @Max(value = 10_000, message = "must be at most 10000")
    @Nullable Integer maxInFlight,
    @Checked(TextRules.RateLimitText.class) @Nullable String rateLimit,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
    @Size(max = 100, message = "must list at most 100 networks")
    @Nullable List<@NotNull(message = "must not be empty") @Checked(TextRules.Network.class) String> allowedNetworks,
    @Nullable Boolean allowAnyNetwork,
    @Nullable Boolean allowHttp,
    @Nullable Boolean paused,
    @Pattern(regexp = "skip|block", message = "must be skip or block") @Nullable String onDeadLetter) {

  EndpointSection {
    secrets = secrets == null ? null : secrets.stream().map(s -> s == null ? null : s.strip()).toList();
  }
}
