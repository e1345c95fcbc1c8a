package dev.relay.app.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.app.Http;
import dev.relay.app.InProcessRelay;
import dev.relay.app.TestConfigs;
import dev.relay.app.runtime.Relay;
import dev.relay.engine.spi.Deliverer;
import dev.relay.engine.spi.Delivery;
import dev.relay.engine.spi.Exchange;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

/** The admin API against a real relay and Postgres; deliveries go to an in-process deliverer. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiIT {
  /** Event types starting with "doomed" fail terminally while {@link #doom} is set. */
  final List<Delivery> delivered = new CopyOnWriteArrayList<>();
  volatile boolean doom = true;
  Relay relay;
  Http admin;
  TestDatabase db;

  @BeforeAll
  void start(TestDatabase db) {
    this.db = db;
    Deliverer deliverer = d -> Mono.fromCallable(() -> {
      if (d.eventType().startsWith("flaky") && d.attempt() == 1) {
        return Outcome.retry("HTTP 503 Service Unavailable: later", 503, null)
            .with(new Exchange(Instant.now(), Duration.ofMillis(5), "later, please"));
      }
      if (doom && d.eventType().startsWith("doomed")) {
        return Outcome.terminal("receiver said 422 Unprocessable", 422);
      }
      delivered.add(d);
      return Outcome.delivered(200);
    });
    relay = InProcessRelay.start(db, """
        endpoints:
          - name: alpha
            url: https://alpha.example.com/hook
            secrets: [%1$s]
          - name: beta
            url: https://beta.example.com/hook
            secrets: [%1$s]
            event-types: ["beta.*", "doomed.*"]
        """.formatted(TestConfigs.SECRET), deliverer);
    admin = new Http(relay.baseUrl(), TestConfigs.TOKEN);
  }

  @AfterAll
  void stop() {
    if (relay != null) {
      relay.stop().block(Duration.ofSeconds(30));
    }
  }

  @Test
  void everyAdminCallNeedsTheBearerToken() {
    Http anonymous = new Http(relay.baseUrl(), null);
    Http wrong = new Http(relay.baseUrl(), TestConfigs.TOKEN + "x");
    for (Http h : List.of(anonymous, wrong)) {
      assertThat(h.get("/admin/endpoints").status()).isEqualTo(401);
      assertThat(h.get("/admin/dead-letters").status()).isEqualTo(401);
      assertThat(h.post("/admin/dead-letters/replay", "{\"all\": true}").status()).isEqualTo(401);
      assertThat(h.post("/admin/endpoints/alpha/pause", "{}").status()).isEqualTo(401);
      assertThat(h.post("/admin/publish", "{}").status()).isEqualTo(401);
      assertThat(h.get("/admin/no-such-call").status()).isEqualTo(401);
    }
    assertThat(admin.get("/admin/no-such-call").status()).isEqualTo(404);
    // health and metrics are open
    assertThat(anonymous.get("/health/live").status()).isEqualTo(200);
    assertThat(anonymous.get("/metrics").status()).isEqualTo(200);
    assertThat(admin.get("/admin/endpoints").status()).isEqualTo(200);
  }

  @Test
  void readinessReportsEveryCheck() {
    Http.Response r = new Http(relay.baseUrl(), null).get("/health/ready");
    assertThat(r.status()).isEqualTo(200);
    JsonNode checks = r.json().get("checks");
    assertThat(r.json().get("status").asText()).isEqualTo("ready");
    assertThat(checks.get("database").get("ok").asBoolean()).isTrue();
    assertThat(checks.get("migrations").get("ok").asBoolean()).isTrue();
    assertThat(checks.get("delivery").get("detail").asText()).containsAnyOf("listen", "polling");
  }

  @Test
  void endpointsAreListedWithStateBreakerAndBacklog() {
    JsonNode list = admin.get("/admin/endpoints").json().get("endpoints");
    assertThat(list).hasSize(2);
    JsonNode beta = list.get(0).get("name").asText().equals("beta") ? list.get(0) : list.get(1);
    assertThat(beta.get("state").asText()).isEqualTo("active");
    assertThat(beta.get("breaker").asText()).isEqualTo("closed");
    assertThat(beta.get("event_types").toString()).contains("beta.*");
    assertThat(beta.has("backlog")).isTrue();
    assertThat(beta.has("oldest_pending_age_seconds")).isTrue();
    assertThat(admin.get("/admin/endpoints/nope").status()).isEqualTo(404);
  }

  @Test
  void aFailureStreakIsShownAndResumeEndsIt() {
    JsonNode healthy = admin.get("/admin/endpoints/alpha").json();
    assertThat(healthy.get("failing_since").isNull()).isTrue();
    assertThat(healthy.get("failed_attempts").asInt()).isZero();
    assertThat(healthy.get("warning").asBoolean()).isFalse();
    assertThat(healthy.get("disable_after").isNull()).isTrue();

    // Every attempt to alpha failed for three days (time moved by the row, as the settle keeps it).
    db.execute("UPDATE {schema}.endpoint SET failing_since = timestamptz '2026-01-26 09:14:03.5+00', "
        + "failed_attempts = 57, warned_at = now(), disabled_reason = 'disabled automatically: test' "
        + "WHERE name = 'alpha'");
    JsonNode failing = admin.get("/admin/endpoints/alpha").json();
    assertThat(failing.get("state").asText()).isEqualTo("disabled");
    assertThat(failing.get("reason").asText()).isEqualTo("disabled automatically: test");
    assertThat(failing.get("failing_since").asText()).isEqualTo("2026-01-26T09:14:03.500Z");
    assertThat(failing.get("failed_attempts").asInt()).isEqualTo(57);
    assertThat(failing.get("warning").asBoolean()).isTrue();
    assertThat(failing.get("disable_after").asText()).isEqualTo("2026-01-31T09:14:03.500Z");

    JsonNode resumed = admin.post("/admin/endpoints/alpha/resume", "").json();
    assertThat(resumed.get("state").asText()).isEqualTo("active");
    assertThat(resumed.get("failing_since").isNull()).isTrue();
    assertThat(resumed.get("failed_attempts").asInt()).isZero();
    assertThat(resumed.get("warning").asBoolean()).isFalse();
  }

  @Test
  void pauseHoldsDeliveriesAndResumeReleasesThem() {
    assertThat(admin.post("/admin/endpoints/alpha/pause", "{\"reason\": \"maintenance\"}").json()
        .get("state").asText()).isEqualTo("paused");
    publish("pause.test", "evt-paused-1", "alpha");
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .until(() -> delivered.stream().noneMatch(d -> d.eventId().equals("evt-paused-1")));
    JsonNode alpha = admin.get("/admin/endpoints/alpha").json();
    assertThat(alpha.get("reason").asText()).isEqualTo("maintenance");
    await().atMost(Duration.ofSeconds(5)).until(() -> admin.get("/admin/endpoints/alpha").json().get("backlog").asLong() >= 1);

    assertThat(admin.post("/admin/endpoints/alpha/resume", "").json().get("state").asText()).isEqualTo("active");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> delivered.stream().anyMatch(d -> d.eventId().equals("evt-paused-1")));
    assertThat(admin.post("/admin/endpoints/nope/pause", "{}").status()).isEqualTo(404);
  }

  @Test
  void deadLettersCanBeListedCountedReplayedAndDiscarded() {
    doom = true;
    publish("doomed.one", "evt-dead-1", "beta");
    publish("doomed.two", "evt-dead-2", "beta");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> admin.get("/admin/dead-letters/count?endpoint=beta").json().get("count").asLong() == 2);

    JsonNode list = admin.get("/admin/dead-letters?endpoint=beta&event_type=doomed.one").json().get("dead_letters");
    assertThat(list).hasSize(1);
    assertThat(list.get(0).get("event_id").asText()).isEqualTo("evt-dead-1");
    assertThat(list.get(0).get("last_error").asText()).contains("422");
    long deadId = list.get(0).get("id").asLong();

    // an empty selection is refused rather than replaying everything
    assertThat(admin.post("/admin/dead-letters/replay", "{}").status()).isEqualTo(400);

    doom = false;
    assertThat(admin.post("/admin/dead-letters/replay", "{\"event_type\": \"doomed.one\"}").json()
        .get("replayed").asLong()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> delivered.stream().anyMatch(d -> d.eventId().equals("evt-dead-1")));
    // the receiver sees the post before the relay's settle lands
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(admin.get("/admin/deliveries/" + deadId).json().get("state").asText()).isEqualTo("delivered"));

    JsonNode two = admin.get("/admin/deliveries?event_id=evt-dead-2").json().get("deliveries");
    assertThat(two).hasSize(1);
    long twoId = two.get(0).get("id").asLong();
    assertThat(admin.post("/admin/dead-letters/discard", "{\"ids\": [" + twoId + "]}").json()
        .get("discarded").asLong()).isEqualTo(1);
    assertThat(admin.get("/admin/dead-letters/count?endpoint=beta").json().get("count").asLong()).isZero();
    assertThat(admin.get("/admin/deliveries/" + twoId).json().get("state").asText()).isEqualTo("discarded");
    assertThat(delivered).noneMatch(d -> d.eventId().equals("evt-dead-2"));
    assertThat(admin.get("/admin/deliveries/99999999").status()).isEqualTo(404);
  }

  @Test
  void replaySendsEarlierMessagesToAnEndpointAgain() {
    Instant before = Instant.now().minusSeconds(5);
    publish("beta.replayed", "evt-replay-1", "beta");
    await().atMost(Duration.ofSeconds(10)).until(() -> count("evt-replay-1") == 1);
    // The deliverer sees the attempt before the relay's settle lands, and a replay leaves a delivery
    // that is still pending (in flight) as it is.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(admin.get("/admin/deliveries?event_id=evt-replay-1").json().get("deliveries").get(0)
            .get("state").asText()).isEqualTo("delivered"));
    JsonNode r = admin.post("/admin/endpoints/beta/replay", "{\"since\": \"" + before + "\"}").json();
    assertThat(r.get("replayed").asLong()).isGreaterThanOrEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> count("evt-replay-1") == 2);
    assertThat(admin.post("/admin/endpoints/beta/replay", "{}").status()).isEqualTo(400);
  }

  @Test
  void publishOverHttpRoutesByEventTypeAndValidates() {
    Http.Response ok = admin.post("/admin/publish",
        "{\"event_type\": \"beta.created\", \"payload\": {\"n\": 1}, \"event_id\": \"evt-http-1\"}");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().get("message_id").asLong()).isPositive();
    await().atMost(Duration.ofSeconds(10)).until(() -> count("evt-http-1") == 2); // alpha (all) and beta
    assertThat(admin.post("/admin/publish", "{\"payload\": {}}").status()).isEqualTo(400);
    assertThat(admin.post("/admin/publish", "not json").status()).isEqualTo(400);
    Http.Response unknown = admin.post("/admin/publish",
        "{\"event_type\": \"x\", \"payload\": {}, \"endpoint\": \"nope\"}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().get("error").asText()).contains("unknown endpoint");
    Http.Response latest = admin.post("/admin/publish",
        "{\"event_type\": \"beta.latest\", \"payload\": {}, \"event_id\": \"evt-http-s1\", \"supersede_key\": \"s-1\"}");
    assertThat(latest.status()).isEqualTo(200);
    assertThat(db.scalar("SELECT supersede_key FROM {schema}.message WHERE event_id = 'evt-http-s1'")).isEqualTo("s-1");
    assertError(admin.post("/admin/publish", "{\"event_type\": \"a.b\", \"payload\": {}, \"supersede_key\": \""
        + "k".repeat(256) + "\"}"), "supersede_key must be at most 255 characters");
  }

  /** Issue 12, finding 6: strict types, a 400 naming the field, never "discard all". */
  @Test
  void wrongTypesAre400sNamingTheFieldAndChangeNothing() {
    long before = admin.get("/admin/dead-letters/count").json().get("count").asLong();
    assertError(admin.post("/admin/dead-letters/discard", "{\"all\": 1}"), "all must be true or false");
    assertError(admin.post("/admin/dead-letters/discard", "{\"all\": \"true\"}"), "all must be true or false");
    assertError(admin.post("/admin/dead-letters/replay", "{\"event_type\": \"doomed.typed\", \"limit\": \"abc\"}"),
        "limit must be a whole number within 1..10000");
    assertError(admin.post("/admin/dead-letters/replay", "{\"ids\": [\"1\"]}"), "ids must contain delivery ids");
    assertError(admin.post("/admin/dead-letters/replay", "{\"event_typ\": \"doomed.typed\"}"), "unknown field 'event_typ'");
    assertError(admin.get("/admin/dead-letters?limit=abc"), "limit must be a whole number within 1..10000");
    assertThat(admin.get("/admin/dead-letters/count").json().get("count").asLong()).isEqualTo(before);
  }

  /** Issue 12, finding 6: "a 900 KB reason with control characters and U+202E is stored and echoed". */
  @Test
  void textIsBoundedAndMustBeVisible() {
    assertError(admin.post("/admin/endpoints/gamma/pause", "{\"reason\": \"" + "x".repeat(900_000) + "\"}"),
        "reason must be at most 500 characters");
    assertError(admin.post("/admin/endpoints/gamma/pause", "{\"reason\": \"fine \\u202E enif\"}"),
        "reason must not contain control, format (bidi) or invisible characters (found U+202E");
    assertError(admin.post("/admin/endpoints/gamma/pause", "{\"reason\": \"a\\u0007b\"}"), "found U+0007");
    assertError(admin.get("/admin/deliveries?event_id=a%E2%80%AEb"), "event_id must not contain control");
  }

  /** Issue 12, finding 6: "since: +999999999-… and \\u0000 in a publish give 500 instead of 400". */
  @Test
  void outOfRangeInstantsAndUnstorableTextAre400s() {
    assertError(admin.post("/admin/endpoints/alpha/replay", "{\"since\": \"+999999999-01-01T00:00:00Z\"}"),
        "since must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
    assertError(admin.get("/admin/dead-letters?since=-5000-01-01T00:00:00Z"), "since must be");
    assertError(admin.post("/admin/publish", "{\"event_type\": \"a.b\", \"payload\": {\"k\": \"x\\u0000y\"}}"),
        "payload must not contain \\u0000");
    assertError(admin.post("/admin/publish", "{\"event_type\": \"a.b\", \"payload\": {\"\\ud800\": 1}}"),
        "lone surrogate");
    assertError(admin.post("/admin/publish", "{\"event_type\": \"a\\u0000b\", \"payload\": {}}"),
        "event_type must not contain control");
    assertError(admin.post("/admin/publish", "{\"event_type\": \"a.b\", \"payload\": {}, \"ordering_key\": \""
        + "k".repeat(256) + "\"}"), "ordering_key must be at most 255 characters");
    assertError(admin.post("/admin/publish", "{\"event_type\": \"a.b\", \"payload\": {}, \"extra\": 1}"),
        "unknown field 'extra'");
  }

  @Test
  void attemptHistoryShowsAMessageADeliveryAndAnEndpointsFailures() {
    publish("flaky.one", "evt-flaky-1", "alpha");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode d = admin.get("/admin/messages?event_id=evt-flaky-1").json().get("deliveries").get(0);
      assertThat(d.get("state").asText()).isEqualTo("delivered");
      assertThat(d.get("history")).hasSize(2);
    });
    JsonNode m = admin.get("/admin/messages?event_id=evt-flaky-1").json();
    assertThat(m.get("event_type").asText()).isEqualTo("flaky.one");
    assertThat(m.get("attempts_truncated").asBoolean()).isFalse();
    assertThat(m.get("deliveries")).hasSize(1);
    JsonNode d = m.get("deliveries").get(0);
    assertThat(d.get("endpoint").asText()).isEqualTo("alpha");
    assertThat(d.get("attempts").asInt()).isEqualTo(2);
    JsonNode first = d.get("history").get(0);
    assertThat(first.get("attempt").asInt()).isEqualTo(1);
    assertThat(first.get("status").asInt()).isEqualTo(503);
    assertThat(first.get("error").asText()).contains("503");
    assertThat(first.get("response_excerpt").asText()).isEqualTo("later, please");
    assertThat(first.get("duration_ms").asLong()).isEqualTo(5);
    assertThat(first.get("instance_id").asText()).isEqualTo(relay.engine().instance().toString());
    JsonNode second = d.get("history").get(1);
    assertThat(second.get("attempt").asInt()).isEqualTo(2);
    assertThat(second.get("status").asInt()).isEqualTo(200);
    assertThat(second.get("error").isNull()).isTrue();

    long id = d.get("id").asLong();
    JsonNode one = admin.get("/admin/deliveries/" + id + "/attempts?limit=1").json();
    assertThat(one.get("id").asLong()).isEqualTo(id);
    assertThat(one.get("history")).hasSize(1);
    assertThat(one.get("history").get(0).get("status").asInt()).isEqualTo(503);

    JsonNode failures = admin.get("/admin/endpoints/alpha/failures").json();
    assertThat(failures.get("endpoint").asText()).isEqualTo("alpha");
    assertThat(failures.get("failures").findValuesAsText("event_id")).contains("evt-flaky-1");
    assertThat(failures.get("failures")).allSatisfy(f -> assertThat(f.get("error").isNull()).isFalse());
    assertThat(admin.get("/admin/endpoints/beta/failures?limit=1").json().get("failures").size()).isLessThanOrEqualTo(1);

    assertThat(admin.get("/admin/messages?event_id=no-such-event").status()).isEqualTo(404);
    assertThat(admin.get("/admin/deliveries/99999999/attempts").status()).isEqualTo(404);
    assertThat(admin.get("/admin/endpoints/nope/failures").status()).isEqualTo(404);
    assertError(admin.get("/admin/messages"), "event_id is required");
    assertError(admin.get("/admin/messages?event_id=evt-flaky-1&limit=0"), "limit must be");
    assertError(admin.get("/admin/deliveries/" + id + "/attempts?limit=1001"), "limit must be");
    assertError(admin.get("/admin/endpoints/alpha/failures?limit=abc"), "limit must be");
    assertError(admin.get("/admin/deliveries/abc/attempts"), "delivery id must be a number");
    Http anonymous = new Http(relay.baseUrl(), null);
    assertThat(anonymous.get("/admin/messages?event_id=evt-flaky-1").status()).isEqualTo(401);
    assertThat(anonymous.get("/admin/deliveries/" + id + "/attempts").status()).isEqualTo(401);
    assertThat(anonymous.get("/admin/endpoints/alpha/failures").status()).isEqualTo(401);
  }

  private static void assertError(Http.Response r, String message) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().get("error").asText()).contains(message);
  }

  @Test
  void metricsExposeEngineAndAdminCounters() {
    assertThat(admin.get("/admin/endpoints").status()).isEqualTo(200);
    String text = new Http(relay.baseUrl(), null).get("/metrics").body();
    assertThat(text).contains("relay_admin_requests_total").contains("relay_db_pool_acquired")
        .contains("jvm_memory_used_bytes").contains("relay_build_info");
  }

  private long count(String eventId) {
    return delivered.stream().filter(d -> d.eventId().equals(eventId)).count();
  }

  private void publish(String type, String eventId, String endpoint) {
    db.execute("SELECT {schema}.publish(?, '{\"x\": 1}'::jsonb, NULL, ?, ?)", type, eventId, endpoint);
  }
}
