package dev.relay.app.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Binds the tree into {@link RelayFile} with Jackson databind: kebab-case keys, unknown keys
 * refused with a suggestion, and every value that does not convert recorded as a problem at its
 * key path (then treated as absent), so one run reports every mistake. Jackson's own messages are
 * never shown: they quote values.
 */
final class Binder {
  private Binder() {}

  static @Nullable RelayFile bind(JsonNode root, Problems problems) {
    SimpleModule values = new SimpleModule("relay-config")
        .addDeserializer(Duration.class, new TextValue<>(Duration.class, Durations::parse))
        .addDeserializer(Double.class, new TextValue<>(Double.class, Binder::finite));
    JsonMapper mapper = JsonMapper.builder()
        .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .addModule(values)
        .addHandler(new Recorder(problems))
        .build();
    mapper.coercionConfigDefaults().setCoercion(CoercionInputShape.EmptyString, CoercionAction.AsNull)
        // A list where one value belongs is an error, even an empty list (and the parser stays at its start).
        .setCoercion(CoercionInputShape.EmptyArray, CoercionAction.Fail);
    try {
      return mapper.treeToValue(root, RelayFile.class);
    } catch (IOException | IllegalArgumentException e) {
      problems.add("", "cannot be read: " + e.getClass().getSimpleName());
      return null;
    }
  }

  /** {@code endpoints[0].url} for where the parser is. */
  static String path(@Nullable JsonStreamContext context) {
    StringBuilder out = new StringBuilder();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      String part = c.inArray() ? "[" + Math.max(0, c.getCurrentIndex()) + "]"
          : c.getCurrentName() == null ? "" : "." + c.getCurrentName();
      out.insert(0, part);
    }
    return out.length() > 0 && out.charAt(0) == '.' ? out.substring(1) : out.toString();
  }

  /** The key the parser is at; on a list or mapping start the context is already the new one. */
  private static String where(JsonParser p) {
    JsonToken t = p.currentToken();
    JsonStreamContext c = p.getParsingContext();
    return path(t != null && t.isStructStart() && c.getParent() != null ? c.getParent() : c);
  }

  /** Records instead of failing; answers "absent" so binding goes on. */
  private static final class Recorder extends DeserializationProblemHandler {
    private final Problems problems;

    Recorder(Problems problems) {
      this.problems = problems;
    }

    @Override
    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
        Object beanOrClass, String propertyName) throws IOException {
      String at = where(p);
      Collection<Object> known = deserializer.getKnownPropertyNames();
      problems.add(at, "unknown key" + Suggestions.didYouMean(propertyName,
          known == null ? List.of() : known.stream().map(String::valueOf).toList(), "'%s'"));
      p.skipChildren();
      return true;
    }

    @Override
    public Object handleWeirdStringValue(DeserializationContext ctxt, Class<?> targetType, String value,
        String failureMsg) {
      String at = where(ctxt.getParser());
      problems.add(at, expectation(targetType, failureMsg), value);
      return null;
    }

    @Override
    public Object handleUnexpectedToken(DeserializationContext ctxt, JavaType targetType, JsonToken t, JsonParser p,
        String failureMsg) throws IOException {
      problems.add(where(p), "must be " + shape(targetType) + ", not " + kind(t));
      p.skipChildren();
      return null;
    }

    @Override
    public Object handleMissingInstantiator(DeserializationContext ctxt, Class<?> instClass,
        ValueInstantiator valueInsta, JsonParser p, String msg) throws IOException {
      problems.add(where(p), "must be a mapping of keys to values, not " + kind(p.currentToken()));
      p.skipChildren();
      return null;
    }

    private static String expectation(Class<?> type, String failureMsg) {
      if (type == Duration.class || type == Double.class) {
        return failureMsg;
      }
      if (type == Integer.class || type == int.class) {
        return failureMsg.startsWith("Overflow") ? "is out of range: at most 2147483647" : "must be a whole number";
      }
      if (type == Boolean.class || type == boolean.class) {
        return "must be true or false";
      }
      return "is not valid";
    }

    private static String shape(JavaType type) {
      if (type.isCollectionLikeType()) {
        return "a list";
      }
      if (type.isMapLikeType() || (!type.isPrimitive() && type.getRawClass().isRecord())) {
        return "a mapping of keys to values";
      }
      return "a single value";
    }

    private static String kind(@Nullable JsonToken t) {
      if (t == JsonToken.START_ARRAY) {
        return "a list";
      }
      if (t == JsonToken.START_OBJECT) {
        return "a mapping";
      }
      return t == JsonToken.VALUE_NULL ? "empty" : "a single value";
    }
  }

  /** A decimal number; NaN, infinities and hex are refused. */
  static Double finite(String text) {
    String t = text.strip();
    if (t.matches("[-+]?[0-9_.]+([eE][-+]?\\d+)?")) {
      try {
        double d = Double.parseDouble(t.replace("_", ""));
        if (Double.isFinite(d)) {
          return d;
        }
      } catch (NumberFormatException e) {
        // answered below
      }
    }
    throw new IllegalArgumentException("must be a number");
  }

  /** A value written as text and parsed by {@code parse}, whose IllegalArgumentException message is the problem. */
  private static final class TextValue<T> extends StdScalarDeserializer<T> {
    private static final long serialVersionUID = 1L;
    private final transient Function<String, T> parse;

    TextValue(Class<T> type, Function<String, T> parse) {
      super(type);
      this.parse = parse;
    }

    @Override
    public @Nullable T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return handledValue(ctxt.handleUnexpectedToken(handledType(), p));
      }
      String text = p.getText();
      try {
        return parse.apply(text);
      } catch (IllegalArgumentException e) {
        return handledValue(ctxt.handleWeirdStringValue(handledType(), text, String.valueOf(e.getMessage())));
      }
    }

    @SuppressWarnings("unchecked")
    private @Nullable T handledValue(@Nullable Object value) {
      return (T) value;
    }
  }
}
