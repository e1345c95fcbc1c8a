package dev.relay.app.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * One log line per event, plain or JSON, with the message, arguments, MDC values and stack trace
 * passed through {@link Redactor}. Configured from {@code logback.xml} ({@code <json>true</json>}
 * for JSON) or by {@link Logging#configure}.
 */
public final class RedactingLayout extends LayoutBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final DateTimeFormatter PLAIN_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  private boolean json;

  public void setJson(boolean json) {
    this.json = json;
  }

  public boolean isJson() {
    return json;
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    String message = Redactor.redact(event.getFormattedMessage() == null ? "" : event.getFormattedMessage());
    IThrowableProxy thrown = event.getThrowableProxy();
    String stack = thrown == null ? null : Redactor.redact(ThrowableProxyUtil.asString(thrown));
    return json ? json(event, message, stack) : plain(event, message, stack);
  }

  private static String plain(ILoggingEvent e, String message, String stack) {
    StringBuilder sb = new StringBuilder(128);
    sb.append(PLAIN_TIME.format(Instant.ofEpochMilli(e.getTimeStamp()))).append("Z ")
        .append(String.format("%-5s", e.getLevel())).append(' ')
        .append('[').append(e.getThreadName()).append("] ")
        .append(shortName(e.getLoggerName())).append(" - ")
        .append(message);
    Map<String, String> mdc = e.getMDCPropertyMap();
    if (mdc != null && !mdc.isEmpty()) {
      sb.append(' ');
      mdc.forEach((k, v) -> sb.append(k).append('=').append(Redactor.redact(String.valueOf(v))).append(' '));
      sb.setLength(sb.length() - 1);
    }
    sb.append(CoreConstants.LINE_SEPARATOR);
    if (stack != null) {
      sb.append(stack).append(CoreConstants.LINE_SEPARATOR);
    }
    return sb.toString();
  }

  private static String json(ILoggingEvent e, String message, String stack) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("ts", Instant.ofEpochMilli(e.getTimeStamp()).toString());
      g.writeStringField("level", e.getLevel().toString());
      g.writeStringField("logger", e.getLoggerName());
      g.writeStringField("thread", e.getThreadName());
      g.writeStringField("message", message);
      Map<String, String> mdc = e.getMDCPropertyMap();
      if (mdc != null) {
        for (Map.Entry<String, String> entry : mdc.entrySet()) {
          g.writeStringField(entry.getKey(), Redactor.redact(String.valueOf(entry.getValue())));
        }
      }
      if (stack != null) {
        g.writeStringField("error", stack);
      }
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.append('\n').toString();
  }

  private static String shortName(String logger) {
    int dot = logger.lastIndexOf('.');
    return dot < 0 ? logger : logger.substring(dot + 1);
  }
}
