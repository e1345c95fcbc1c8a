package dev.relay.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.app.Http;
import dev.relay.app.TestConfigs;
import dev.relay.app.VerifyingReceiver;
import dev.relay.app.config.RelayConfig;
import dev.relay.app.runtime.Relay;
import dev.relay.app.runtime.WebhookTransport;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.blockhound.BlockHound;

/**
 * Invariant 5: nothing blocks an event-loop thread. BlockHound records every blocking call made
 * on a non-blocking thread while the relay migrates, delivers over HTTP, answers the admin API
 * and serves /metrics and /health.
 */
@ExtendWith(PostgresExtension.class)
class NonBlockingIT {
  static final List<String> violations = new CopyOnWriteArrayList<>();

  static {
    BlockHound.install(b -> b
        // Console logging is a synchronous write by design (logback's ConsoleAppender).
        .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes")
        .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "subAppend")
        .blockingMethodCallback(m -> {
          String at = caller();
          // A scheduler worker that was already idle in its queue when BlockHound got installed
          // (other tests ran first in this JVM): BlockHound missed its entry into the allowed
          // take(), so it reports the park. Not a call our code made.
          if (!at.contains("DelayedWorkQueue.take")) {
            violations.add(m + " on " + Thread.currentThread().getName() + " at " + at);
          }
        }));
  }

  @Test
  void deliveringAndServingNeverBlocksAnEventLoop(TestDatabase db) {
    // BlockHound is really watching: a sleep on a parallel thread is recorded.
    reactor.core.publisher.Mono.delay(Duration.ofMillis(1)).doOnNext(x -> sleep()).block(Duration.ofSeconds(5));
    assertThat(violations).as("BlockHound installed").isNotEmpty();
    violations.clear();
    try (VerifyingReceiver receiver = new VerifyingReceiver(TestConfigs.SECRET, Duration.ZERO)) {
      RelayConfig config = TestConfigs.parse(TestConfigs.database(db.config()) + TestConfigs.FAST_DELIVERY + """
          endpoints:
            - name: hooks
              url: %s
              secrets: [%s]
              allow-http: true
              allowed-networks: [127.0.0.0/8]
          """.formatted(receiver.url("hooks"), TestConfigs.SECRET));
      Relay relay = Relay.start(config, WebhookTransport::create).block(Duration.ofMinutes(1));
      try {
        db.execute("SELECT {schema}.publish('a.b', jsonb_build_object('n', g), NULL, 'nb-' || g) FROM generate_series(1, 50) g");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received("hooks").size() == 50);
        Http admin = new Http(relay.baseUrl(), TestConfigs.TOKEN);
        assertThat(admin.get("/admin/endpoints").status()).isEqualTo(200);
        assertThat(admin.get("/admin/dead-letters").status()).isEqualTo(200);
        assertThat(admin.post("/admin/publish", "{\"event_type\": \"a.c\", \"payload\": {}}").status()).isEqualTo(200);
        assertThat(admin.get("/metrics").status()).isEqualTo(200);
        assertThat(admin.get("/health/ready").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received("hooks").size() == 51);
      } finally {
        relay.stop().block(Duration.ofSeconds(30));
      }
    }
    assertThat(violations).isEmpty();
  }

  private static void sleep() {
    try {
      Thread.sleep(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String caller() {
    StackTraceElement[] stack = new Throwable().getStackTrace();
    StringBuilder sb = new StringBuilder();
    for (int i = 0, shown = 0; i < stack.length && shown < 30; i++) {
      String c = stack[i].getClassName();
      if (!c.startsWith("reactor.blockhound") && !c.contains("NonBlockingIT") && !c.startsWith("java.lang.Thread")) {
        sb.append("\n    ").append(stack[i]);
        shown++;
      }
    }
    return sb.toString();
  }
}
