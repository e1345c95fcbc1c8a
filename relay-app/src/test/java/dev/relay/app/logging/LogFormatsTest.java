package dev.relay.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.app.http.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both log formats: the same facts, stable JSON field names, nothing secret in either. */
class LogFormatsTest {
  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  @Test
  void jsonWritesOneObjectPerLineWithStableFieldNames() {
    List<JsonNode> lines = log(JsonLines::encoder).lines().map(Json::read).toList();
    assertThat(lines).hasSize(2);
    JsonNode attempt = lines.get(0);
    assertThat(attempt.fieldNames()).toIterable().startsWith("timestamp", "level", "logger", "thread", "message");
    assertThat(attempt.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(attempt.get("level").asText()).isEqualTo("INFO");
    assertThat(attempt.get("logger").asText()).isEqualTo("dev.relay.webhook.EndpointPipeline");
    assertThat(attempt.get("message").asText()).isEqualTo("delivery 7 to endpoint billing (attempt 2) not delivered");
    assertThat(attempt.get("event_id").asText()).isEqualTo("msg_1");
    assertThat(attempt.get("endpoint").asText()).isEqualTo("billing");
    assertThat(attempt.get("attempt").asInt()).isEqualTo(2);
    assertThat(attempt.get("status").asInt()).isEqualTo(503);
    assertThat(attempt.get("duration_ms").asLong()).isEqualTo(35);
    assertThat(attempt.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(attempt.get("request").asText()).isEqualTo("r-1");
    JsonNode failure = lines.get(1);
    assertThat(failure.get("level").asText()).isEqualTo("WARN");
    assertThat(failure.get("stack_trace").asText()).contains("IllegalStateException");
  }

  @Test
  void plainWritesTheSameFactsAsKeyValuePairs() {
    String out = log(Logging::plainEncoder);
    assertThat(out).contains("INFO  [main] EndpointPipeline - delivery 7 to endpoint billing (attempt 2) not delivered"
        + " event_id=msg_1 endpoint=billing attempt=2 status=503 duration_ms=35 trace_id=4bf92f3577b34da6a3ce929d0e0e4736"
        + " url=https://***@example.com/x request=r-1");
    assertThat(out).contains("IllegalStateException");
  }

  @Test
  void neitherFormatShowsASecretWhereverItHides() {
    for (String out : List.of(log(JsonLines::encoder), log(Logging::plainEncoder))) {
      assertThat(out).doesNotContain("MfKQ9r8").doesNotContain("hunter2").doesNotContain("s3cr3t")
          .doesNotContain("g0hM9SsE").doesNotContain("pa55");
    }
  }

  /** Two events through a fresh logback context: an attempt line and a failure with a stack trace. */
  private static String log(java.util.function.Function<LoggerContext, Encoder<ILoggingEvent>> encoders) {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    context.start();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoders.apply(context));
    appender.setOutputStream(bytes);
    appender.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    root.setLevel(Level.INFO);
    context.getMDCAdapter().put("request", "r-1");
    try {
      context.getLogger("dev.relay.webhook.EndpointPipeline").atInfo()
          .addKeyValue("event_id", "msg_1").addKeyValue("endpoint", "billing").addKeyValue("attempt", 2)
          .addKeyValue("status", 503).addKeyValue("duration_ms", 35L)
          .addKeyValue("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")
          .addKeyValue("url", "https://bob:hunter2@example.com/x")
          .log("delivery {} to endpoint {} (attempt {}) not delivered", 7, "billing", 2);
      context.getLogger("dev.relay.Test").warn("failed with {} and password=pa55",
          "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
          new IllegalStateException("Bearer s3cr3t-token " + SECRET));
    } finally {
      context.getMDCAdapter().remove("request");
    }
    appender.stop();
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
