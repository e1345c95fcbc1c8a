package dev.relay.app.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * {@code logging.format: plain}: one line per event (plus its stack trace), with the message, its
 * key-value pairs and MDC values ({@code key=value}) and the stack trace passed through {@link
 * Redactor}. Configured from {@code logback.xml} and by {@link Logging#configure}; JSON lines are
 * {@link JsonLines}'.
 */
public final class RedactingLayout extends LayoutBase<ILoggingEvent> {
  private static final DateTimeFormatter PLAIN_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  @Override
  public String doLayout(ILoggingEvent event) {
    String message = Redactor.redact(event.getFormattedMessage() == null ? "" : event.getFormattedMessage());
    IThrowableProxy thrown = event.getThrowableProxy();
    String stack = thrown == null ? null : Redactor.redact(ThrowableProxyUtil.asString(thrown));
    return plain(event, message, stack);
  }

  private static String plain(ILoggingEvent e, String message, String stack) {
    StringBuilder sb = new StringBuilder(128);
    sb.append(PLAIN_TIME.format(Instant.ofEpochMilli(e.getTimeStamp()))).append("Z ")
        .append(String.format("%-5s", e.getLevel())).append(' ')
        .append('[').append(e.getThreadName()).append("] ")
        .append(shortName(e.getLoggerName())).append(" - ")
        .append(message);
    List<KeyValuePair> pairs = e.getKeyValuePairs();
    if (pairs != null) {
      pairs.forEach(p -> sb.append(' ').append(p.key).append('=').append(Redactor.redact(String.valueOf(p.value))));
    }
    Map<String, String> mdc = e.getMDCPropertyMap();
    if (mdc != null) {
      mdc.forEach((k, v) -> sb.append(' ').append(k).append('=').append(Redactor.redact(String.valueOf(v))));
    }
    sb.append(CoreConstants.LINE_SEPARATOR);
    if (stack != null) {
      sb.append(stack).append(CoreConstants.LINE_SEPARATOR);
    }
    return sb.toString();
  }

  private static String shortName(String logger) {
    int dot = logger.lastIndexOf('.');
    return dot < 0 ? logger : logger.substring(dot + 1);
  }
}
