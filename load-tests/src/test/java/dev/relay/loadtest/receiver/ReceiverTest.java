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
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private static Receiver current;

  {
    current = receiver;
  }

  private static String receiverUrl(String path) {
    return current.url(path);
  }

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

  @Test
  void aDrippedAnswerSendsItsStatusAtOnceAndItsBodyLater() throws Exception {
    receiver.listen(arrivals::add);
    receiver.schedule(FaultSchedule.parse("0s=drip:1:1500ms"));

    long start = System.nanoTime();
    HttpResponse<java.io.InputStream> r = http.send(request("ep-0000", "e-1", "{}", SECRET),
        HttpResponse.BodyHandlers.ofInputStream());
    long statusMillis = (System.nanoTime() - start) / 1_000_000;
    byte[] body = r.body().readAllBytes();
    long bodyMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(statusMillis).as("status before the body").isLessThan(1000);
    assertThat(bodyMillis).as("the body's end").isGreaterThanOrEqualTo(1300);
    assertThat(body).hasSize(10);
    assertThat(arrivals).hasSize(1);
  }

  @Test
  void aPathScheduleFaultsOnlyThatEndpointAndRepliesAreTold() throws Exception {
    List<Reply> replies = new CopyOnWriteArrayList<>();
    receiver.listen(new ArrivalListener() {
      @Override
      public void onArrival(Arrival arrival) {
        arrivals.add(arrival);
      }

      @Override
      public void onReply(Reply reply) {
        replies.add(reply);
      }
    });
    receiver.schedule("ep-0000", FaultSchedule.parse("0s=error:429:1"));

    HttpResponse<String> faulty = post("ep-0000", "e-1", "{}", SECRET);
    HttpResponse<String> healthy = post("ep-0001", "e-2", "{}", SECRET);

    assertThat(faulty.statusCode()).isEqualTo(429);
    assertThat(faulty.headers().firstValue("retry-after")).hasValue("1");
    assertThat(healthy.statusCode()).isEqualTo(200);
    assertThat(replies).extracting(Reply::describe).containsExactly("429", "200");
    assertThat(arrivals).extracting(Arrival::webhookId).containsExactly("e-2");
    assertThat(receiver.peakConcurrency("ep-0000")).isEqualTo(1);
  }

  @Test
  void aRedirectPointsElsewhere() throws Exception {
    receiver.schedule(FaultSchedule.parse("0s=error:302:1"));

    HttpResponse<String> r = post("ep-0000", "e-1", "{}", SECRET);

    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("location")).isPresent();
  }

  private HttpResponse<String> post(String path, String id, String body, String secret) throws Exception {
    return http.send(request(path, id, body, secret), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest request(String path, String id, String body, String secret) {
    long ts = System.currentTimeMillis() / 1000;
    String signature = WebhookSigner.of(List.of(SigningSecret.parse(secret))).signatureHeader(id, ts, body);
    return HttpRequest.newBuilder(URI.create(receiverUrl(path)))
        .header("webhook-id", id).header("webhook-timestamp", Long.toString(ts)).header("webhook-signature", signature)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }
}
