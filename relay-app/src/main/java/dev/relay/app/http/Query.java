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
    this.params = new QueryStringDecoder(uri).parameters();
  }

  public @Nullable String get(String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() || values.get(0).isBlank() ? null : values.get(0);
  }

  public @Nullable Instant instant(String name) {
    return instant(name, get(name));
  }

  public int integer(String name, int fallback) {
    String v = get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new BadRequest(name + " must be a whole number, was '" + v + "'");
    }
  }

  public static @Nullable Instant instant(String name, @Nullable String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw new BadRequest(name + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, was '" + value + "'");
    }
  }
}
