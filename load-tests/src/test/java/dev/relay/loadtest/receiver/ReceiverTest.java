package dev.relay.loadtest.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.webhook.signing.SigningSecret;
import dev.relay.webhook.signing.WebhookSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReceiverTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private final Receiver receiver = Receiver.start(ReceiverSettings.of(SECRET));
  private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void close() {
    receiver.close();
  }

  @Test
  void aVerifiedRequestIsAnArrivalWithItsPublishTime() throws Exception {
    receiver.listen(arrivals::add);

    HttpResponse<String> r = post("ep-0000", "e-1", "{\"id\":\"e-1\",\"publishedAtNanos\":42,\"data\":\"x\"}", SECRET);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(arrivals).singleElement().satisfies(a -> {
      assertThat(a.path()).isEqualTo("ep-0000");
      assertThat(a.webhookId()).isEqualTo("e-1");
      assertThat(a.publishedAtNanos()).isEqualTo(42);
    });
  }

  @Test
  void aForgedSignatureIsRefusedAndCountedNeverAnArrival() throws Exception {
    receiver.listen(arrivals::add);

    HttpResponse<String> r = post("ep-0000", "e-1", "{}", "whsec_" + "A".repeat(32));

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(arrivals).isEmpty();
    assertThat(receiver.counts().badSignatures()).isEqualTo(1);
  }

  @Test
  void theScheduleAnswersErrorsAndResetsConnections() throws Exception {
    receiver.listen(arrivals::add);
    receiver.schedule(FaultSchedule.parse("0s=error:503:1"));
    assertThat(post("ep-0000", "e-1", "{}", SECRET).statusCode()).isEqualTo(503);

    receiver.schedule(FaultSchedule.parse("0s=reset:1"));
    assertThatThrownBy(() -> post("ep-0000", "e-2", "{}", SECRET)).isInstanceOf(IOException.class);

    assertThat(arrivals).isEmpty();
    assertThat(receiver.counts().errorsAnswered()).isEqualTo(1);
    assertThat(receiver.counts().resets()).isEqualTo(1);
  }

  private HttpResponse<String> post(String path, String id, String body, String secret) throws Exception {
    long ts = System.currentTimeMillis() / 1000;
    String signature = WebhookSigner.of(List.of(SigningSecret.parse(secret))).signatureHeader(id, ts, body);
    return http.send(HttpRequest.newBuilder(URI.create(receiver.url(path)))
        .header("webhook-id", id).header("webhook-timestamp", Long.toString(ts)).header("webhook-signature", signature)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
