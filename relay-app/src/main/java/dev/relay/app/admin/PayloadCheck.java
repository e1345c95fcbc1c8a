package dev.relay.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.app.http.BadRequest;
import java.util.Iterator;
import java.util.Map;

/**
 * What Postgres's jsonb cannot store, found before it is sent: {@code \u0000} and lone surrogates
 * in any string or key, and nesting deeper than 64 levels.
 */
final class PayloadCheck {
  private static final int MAX_DEPTH = 64;

  private PayloadCheck() {}

  static JsonNode check(JsonNode payload) {
    walk(payload, 0);
    return payload;
  }

  private static void walk(JsonNode node, int depth) {
    if (depth > MAX_DEPTH) {
      throw new BadRequest("payload is nested deeper than " + MAX_DEPTH + " levels");
    }
    if (node.isTextual()) {
      text(node.textValue());
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      text(e.getKey());
      walk(e.getValue(), depth + 1);
    }
    if (node.isArray()) {
      for (JsonNode item : node) {
        walk(item, depth + 1);
      }
    }
  }

  private static void text(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        throw new BadRequest("payload must not contain \\u0000 (Postgres jsonb cannot store it)");
      }
      if (Character.isHighSurrogate(c) && (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))
          || Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
        throw new BadRequest("payload contains a lone surrogate (\\u" + String.format("%04x", (int) c)
            + "), which is not text");
      }
    }
  }
}
