package dev.relay.app.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/** {@code admin}; the token is stripped of surrounding whitespace (a trailing newline from a file). */
record AdminSection(
    @Size(min = 1, max = 255, message = "must be an address or host name") @Checked(TextRules.VisibleText.class)
    @Nullable String bind,
    @Min(value = 0, message = "must be within 0..65535") @Max(value = 65535, message = "must be within 0..65535")
    @Nullable Integer port,
    @Size(min = 16, max = 1024, message = "must be 16-1024 characters (value not shown)")
    @Pattern(regexp = "[\\x21-\\x7e]*", message = "must be printable ASCII without spaces (value not shown)")
    @Nullable String token,
    @Nullable Boolean publishEnabled) {

  AdminSection {
    token = token == null || token.isBlank() ? null : token.strip();
  }
}
