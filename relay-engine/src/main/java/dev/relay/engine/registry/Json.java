package dev.relay.engine.registry;

import java.util.List;

/** The little JSON the registration needs: strings and arrays of strings, escaped per RFC 8259. */
final class Json {
  private Json() {}

  static String string(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  static String strings(List<String> values) {
    StringBuilder out = new StringBuilder("[");
    for (String v : values) {
      if (out.length() > 1) {
        out.append(',');
      }
      out.append(string(v));
    }
    return out.append(']').toString();
  }
}
