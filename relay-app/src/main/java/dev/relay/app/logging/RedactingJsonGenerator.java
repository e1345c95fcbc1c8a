package dev.relay.app.logging;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import java.io.IOException;

/**
 * The JSON log encoder's generator with every string value passed through {@link Redactor}: the
 * message, stack traces, MDC and key-value pairs alike, so no field can carry a secret the plain
 * format would have hidden. Objects are serialised through this generator, not around it.
 */
final class RedactingJsonGenerator extends JsonGeneratorDelegate {

  RedactingJsonGenerator(JsonGenerator delegate) {
    super(delegate, false);
  }

  @Override
  public void writeString(String text) throws IOException {
    super.writeString(Redactor.redact(text));
  }

  @Override
  public void writeString(char[] text, int offset, int len) throws IOException {
    writeString(new String(text, offset, len));
  }

  @Override
  public void writeString(SerializableString text) throws IOException {
    writeString(text.getValue());
  }
}
