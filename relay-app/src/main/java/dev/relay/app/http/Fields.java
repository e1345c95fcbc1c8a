package dev.relay.app.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A JSON request body read strictly: an object with known fields only, each of its exact type (a
 * number is not a boolean, a string is not a number), text bounded and visible; every mistake is a
 * {@link BadRequest} naming the field.
 */
public final class Fields {
  private final JsonNode body;

  private Fields(JsonNode body) {
    this.body = body;
  }

  /** @throws BadRequest unless {@code body} is an object whose fields are all in {@code allowed} */
  public static Fields of(JsonNode body, Set<String> allowed) {
    if (!body.isObject()) {
      throw new BadRequest("body must be a JSON object");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw new BadRequest("unknown field '" + Text.check("field name", name, 64) + "'; expected "
            + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
    return new Fields(body);
  }

  private @Nullable JsonNode present(String field) {
    JsonNode n = body.get(field);
    return n == null || n.isNull() ? null : n;
  }

  public @Nullable String text(String field, int maxChars) {
    JsonNode n = present(field);
    if (n == null) {
      return null;
    }
    if (!n.isTextual() || n.textValue().isBlank()) {
      throw new BadRequest(field + " must be a non-empty string");
    }
    return Text.check(field, n.textValue(), maxChars);
  }

  public boolean bool(String field) {
    JsonNode n = present(field);
    if (n != null && !n.isBoolean()) {
      throw new BadRequest(field + " must be true or false");
    }
    return n != null && n.booleanValue();
  }

  public int integer(String field, int min, int max, int fallback) {
    JsonNode n = present(field);
    if (n == null) {
      return fallback;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
      throw new BadRequest(field + " must be a whole number within " + min + ".." + max);
    }
    return n.intValue();
  }

  public @Nullable Instant instant(String field) {
    return Query.instant(field, text(field, 64));
  }

  public @Nullable JsonNode node(String field) {
    return present(field);
  }

  /** Positive whole numbers, at most {@code max} of them. */
  public List<Long> ids(String field, int max) {
    JsonNode n = present(field);
    if (n == null) {
      return List.of();
    }
    if (!n.isArray() || n.size() > max) {
      throw new BadRequest(field + " must be an array of at most " + max + " delivery ids");
    }
    List<Long> out = new ArrayList<>(n.size());
    for (JsonNode id : n) {
      if (!id.isIntegralNumber() || !id.canConvertToLong() || id.longValue() < 1) {
        throw new BadRequest(field + " must contain delivery ids (positive whole numbers)");
      }
      out.add(id.longValue());
    }
    return out;
  }
}
