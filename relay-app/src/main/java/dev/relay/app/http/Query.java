package dev.relay.app.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Query-string parameters of one request, with typed accessors that answer 400 on bad input. */
public final class Query {
  private final Map<String, List<String>> params;

  public Query(String uri) {
    try {
      this.params = new QueryStringDecoder(uri).parameters();
    } catch (IllegalArgumentException e) {
      throw new BadRequest("the query string is not valid percent-encoding");
    }
  }

  public @Nullable String get(String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() || values.get(0).isBlank() ? null : values.get(0);
  }

  public @Nullable Instant instant(String name) {
    return instant(name, get(name));
  }

  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  public int integer(String name, int min, int max, int fallback) {
    String v = get(name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new BadRequest(name + " must be a whole number within " + min + ".." + max);
  }

  /** A bounded, visible text parameter. */
  public @Nullable String text(String name, int maxChars) {
    String v = get(name);
    return v == null ? null : Text.check(name, v, maxChars);
  }

  /** An ISO-8601 instant between 1970 and 9999 (what Postgres and operators can mean). */
  public static @Nullable Instant instant(String name, @Nullable String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    Instant parsed;
    try {
      parsed = Instant.parse(Text.check(name, value.trim(), 64));
    } catch (DateTimeParseException e) {
      throw new BadRequest(name + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
    }
    if (parsed.isBefore(Instant.EPOCH) || parsed.isAfter(LATEST)) {
      throw new BadRequest(name + " must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
    }
    return parsed;
  }
}
