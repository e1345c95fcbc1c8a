package dev.relay.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.spi.Outcome;
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
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 11: "a 2xx whose body arrives slowly is recorded as a timeout and retried (the deadline
 * covers the body read)". The status decides: the deadline bounds the wait for it, and a body that
 * trickles in afterwards is read only briefly, best effort.
 */
class SlowBodyIT {

  @ParameterizedTest(name = "HTTP {0}, body {1} s after the status")
  @CsvSource({"200, 4", "503, 4"})
  void theStatusDecidesEvenWhenTheBodyComesLaterThanTheDeadline(int status, int bodyDelaySeconds) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> serve(server, status, bodyDelaySeconds), "slow-body");
      t.setDaemon(true);
      t.start();
      WebhookDeliverer deliverer = WebhookDeliverer.create(
          Fixtures.loopbackSettings().withAttemptDeadline(Duration.ofSeconds(2)),
          List.of(Fixtures.endpoint("slow", "http://127.0.0.1:" + server.getLocalPort() + "/")),
          new SimpleMeterRegistry());
      try {
        Outcome outcome = deliverer.deliver(Deliveries.to("slow")).block(Duration.ofSeconds(20));
        if (status == 200) {
          assertThat(outcome.with(null)).isEqualTo(Outcome.delivered(200));
        } else {
          assertThat(outcome).isInstanceOfSatisfying(Outcome.Retry.class, r -> {
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.reason()).doesNotContain("timed out").doesNotContain("deadline");
          });
        }
      } finally {
        deliverer.disposeLater().block(Duration.ofSeconds(10));
      }
    }
  }

  /** Answers the status line and headers at once, and the (chunked) body only after a while. */
  private static void serve(ServerSocket server, int status, int bodyDelaySeconds) {
    while (!server.isClosed()) {
      try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
        in.read(new byte[8192]);
        out.write(("HTTP/1.1 " + status + " X\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
            + "5\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(bodyDelaySeconds * 1000L);
        out.write("5\r\nworld\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException | InterruptedException e) {
        // the client went away: expected once it stopped reading
      }
    }
  }
}
