package dev.relay.app.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.encoder.Encoder;
import net.logstash.logback.composite.AbstractFieldJsonProvider;
import net.logstash.logback.composite.JsonProviders;
import net.logstash.logback.composite.loggingevent.KeyValuePairsJsonProvider;
import net.logstash.logback.composite.loggingevent.LogLevelJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggerNameJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventThreadNameJsonProvider;
import net.logstash.logback.composite.loggingevent.MdcJsonProvider;
import net.logstash.logback.composite.loggingevent.MessageJsonProvider;
import net.logstash.logback.composite.loggingevent.StackTraceJsonProvider;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;

/**
 * {@code logging.format: json}: one JSON object per line from logstash-logback-encoder, with the
 * field names below (stable: log pipelines key on them), then each event's key-value pairs (the
 * delivery facts: {@code event_id}, {@code endpoint}, {@code attempt}, {@code status}, {@code
 * duration_ms}, {@code trace_id}, ...) and MDC entries as top-level fields. Every string written
 * passes through {@link Redactor} ({@link RedactingJsonGenerator}).
 */
final class JsonLines {
  static final String TIMESTAMP = "timestamp";
  static final String LEVEL = "level";
  static final String LOGGER = "logger";
  static final String THREAD = "thread";
  static final String MESSAGE = "message";
  static final String STACK_TRACE = "stack_trace";

  private JsonLines() {}

  private static <P extends AbstractFieldJsonProvider<ILoggingEvent>> P named(P provider, String field) {
    provider.setFieldName(field);
    return provider;
  }

  static Encoder<ILoggingEvent> encoder(Context context) {
    JsonProviders<ILoggingEvent> providers = new JsonProviders<>();
    LoggingEventFormattedTimestampJsonProvider timestamp = named(new LoggingEventFormattedTimestampJsonProvider(),
        TIMESTAMP);
    timestamp.setTimeZone("UTC");
    timestamp.setPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX"); // e.g. 2026-01-31T12:00:00.123Z
    providers.addProvider(timestamp);
    providers.addProvider(named(new LogLevelJsonProvider(), LEVEL));
    providers.addProvider(named(new LoggerNameJsonProvider(), LOGGER));
    providers.addProvider(named(new LoggingEventThreadNameJsonProvider(), THREAD));
    providers.addProvider(named(new MessageJsonProvider(), MESSAGE));
    providers.addProvider(new KeyValuePairsJsonProvider());
    providers.addProvider(new MdcJsonProvider());
    providers.addProvider(named(new StackTraceJsonProvider(), STACK_TRACE));

    LoggingEventCompositeJsonEncoder encoder = new LoggingEventCompositeJsonEncoder();
    encoder.setContext(context);
    encoder.setProviders(providers);
    encoder.setJsonGeneratorDecorator(RedactingJsonGenerator::new);
    encoder.start();
    return encoder;
  }
}
