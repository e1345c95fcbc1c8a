package dev.relay.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.classify.OutcomeClassifier;
import dev.relay.webhook.testing.Deliveries;
import dev.relay.webhook.testing.Fixtures;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12, finding 6: "a receiver's invalid HTTP or headers over 8 KB log 'unexpected error' with a
 * full stack trace twice per attempt". A receiver that breaks the protocol gets a retryable
 * outcome with a one-line reason (no "unexpected error", so no stack trace is logged).
 */
class ProtocolErrorsIT {

  @ParameterizedTest
  @ValueSource(strings = {"garbage", "huge-header", "bad-status", "bad-length"})
  void aReceiverThatBreaksHttpGetsARetryWithAOneLineReason(String kind) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> serve(server, reply(kind)), "receiver-" + kind);
      t.setDaemon(true);
      t.start();
      WebhookDeliverer deliverer = WebhookDeliverer.create(Fixtures.loopbackSettings(),
          List.of(Fixtures.endpoint("broken", "http://127.0.0.1:" + server.getLocalPort() + "/")),
          new SimpleMeterRegistry());
      try {
        Outcome outcome = deliverer.deliver(Deliveries.to("broken")).block(Duration.ofSeconds(20));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retry.class, r -> {
          assertThat(r.reason()).doesNotStartWith(OutcomeClassifier.UNEXPECTED).doesNotContain("\n")
              .startsWith("invalid HTTP response from the receiver");
        });
      } finally {
        deliverer.disposeLater().block(Duration.ofSeconds(10));
      }
    }
  }

  private static byte[] reply(String kind) {
    String text = switch (kind) {
      case "garbage" -> "this is not HTTP at all\r\n\r\n";
      case "huge-header" -> "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(20_000) + "\r\nContent-Length: 0\r\n\r\n";
      case "bad-status" -> "HTTP/1.1 abc Nope\r\nContent-Length: 0\r\n\r\n";
      default -> "HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n";
    };
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static void serve(ServerSocket server, byte[] reply) {
    while (!server.isClosed()) {
      try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
        byte[] buf = new byte[8192];
        in.read(buf); // the request head; its body is not needed
        out.write(reply);
        out.flush();
        Thread.sleep(200);
      } catch (IOException | InterruptedException e) {
        return;
      }
    }
  }
}
