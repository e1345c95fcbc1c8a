package dev.relay.loadtest.receiver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/** Reads the top-level {@code publishedAtNanos} number of a JSON body without building a tree. */
final class PublishedAt {
  static final String FIELD = "publishedAtNanos";
  private static final JsonFactory JSON = new JsonFactory();

  private PublishedAt() {}

  static long read(byte[] body) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Arrival.UNKNOWN;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (FIELD.equals(name) && value == JsonToken.VALUE_NUMBER_INT) {
          return p.getLongValue();
        }
        p.skipChildren();
      }
      return Arrival.UNKNOWN;
    } catch (IOException e) {
      return Arrival.UNKNOWN;
    }
  }
}
