package dev.relay.webhook;

import dev.relay.engine.spi.Delivery;
import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.classify.OutcomeNames;
import dev.relay.webhook.tracing.AttemptSpan;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The log line of each attempt (debug when delivered, info otherwise) and of each delivery not
 * sent, with its facts as key-value pairs: JSON logs make them fields (names below, documented in
 * docs/operations.md), plain logs append them as {@code key=value}.
 */
final class AttemptLog {
  static final String DELIVERY_ID = "delivery_id";
  static final String EVENT_ID = "event_id";
  static final String ENDPOINT = "endpoint";
  static final String ATTEMPT = "attempt";
  static final String STATUS = "status";
  static final String DURATION_MS = "duration_ms";
  static final String OUTCOME = "outcome";
  static final String TRACE_ID = "trace_id";
  static final String SPAN_ID = "span_id";

  private static final Logger log = LoggerFactory.getLogger(EndpointPipeline.class);

  private AttemptLog() {}

  /** An attempt that went out: what came back, how long it took, its trace. */
  static void attempted(Delivery delivery, Outcome outcome, long elapsedNanos, AttemptSpan span) {
    LoggingEventBuilder line = line(delivery, outcome)
        .addKeyValue(DURATION_MS, TimeUnit.NANOSECONDS.toMillis(elapsedNanos));
    Integer status = OutcomeNames.status(outcome);
    if (status != null) {
      line.addKeyValue(STATUS, status);
    }
    String traceId = span.traceId();
    if (traceId != null) {
      line.addKeyValue(TRACE_ID, traceId).addKeyValue(SPAN_ID, span.spanId());
    }
    emit(line, delivery, outcome);
  }

  /** A delivery not sent: held back by a guard, or refused before any request. */
  static void unsent(Delivery delivery, Outcome outcome) {
    emit(line(delivery, outcome), delivery, outcome);
  }

  private static LoggingEventBuilder line(Delivery delivery, Outcome outcome) {
    return log.atLevel(outcome instanceof Outcome.Delivered ? Level.DEBUG : Level.INFO)
        .addKeyValue(DELIVERY_ID, delivery.id())
        .addKeyValue(EVENT_ID, delivery.eventId())
        .addKeyValue(ENDPOINT, delivery.endpoint())
        .addKeyValue(ATTEMPT, delivery.attempt())
        .addKeyValue(OUTCOME, OutcomeNames.of(outcome));
  }

  private static void emit(LoggingEventBuilder line, Delivery delivery, Outcome outcome) {
    if (outcome instanceof Outcome.Delivered) {
      line.log("delivery {} to endpoint {} (attempt {}) delivered", delivery.id(), delivery.endpoint(),
          delivery.attempt());
    } else {
      line.log("delivery {} to endpoint {} (attempt {}) not delivered: {}", delivery.id(), delivery.endpoint(),
          delivery.attempt(), outcome);
    }
  }
}
