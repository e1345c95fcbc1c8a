package dev.relay.app.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.app.Http;
import dev.relay.app.PrometheusText;
import dev.relay.app.TestConfigs;
import dev.relay.app.config.ConfigLoader;
import dev.relay.app.runtime.Relay;
import dev.relay.app.runtime.Transport;
import dev.relay.app.runtime.WebhookTransport;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Endpoints managed at runtime, through the application's SQL functions and the admin API, served
 * by several relays over real HTTP: signed with their own secrets, sealed at rest, changes seen by
 * every relay, deletion discarding what was pending, secret and key rotation.
 */
@ExtendWith(PostgresExtension.class)
class RuntimeEndpointsIT {
  static final String KEY_1 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  static final String KEY_2 = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

  static String config(TestDatabase db, List<String> keys, String fixedUrl) {
    return TestConfigs.database(db.config()) + TestConfigs.FAST_DELIVERY + """
        webhook:
          allow-http: true
          allowed-networks: [127.0.0.0/8]
        endpoints:
          - name: fixed
            url: %s
            secrets: ["%s"]
            event-types: ["fixed.*"]
        runtime-endpoints:
          allow-http: true                  # the receiver is local: the runtime policy must say so
          allowed-networks: [127.0.0.0/8]   # itself; webhook.* is for the configured endpoints
          encryption-keys: [%s]
        """.formatted(fixedUrl, TestConfigs.SECRET, String.join(", ", keys));
  }

  static Relay start(TestDatabase db, RecordingReceiver receiver, String... keys) {
    return start(db, receiver, new ArrayList<>(), keys);
  }

  /** Adds the relay's transport to {@code transports}, to see which runtime endpoints it holds. */
  static Relay start(TestDatabase db, RecordingReceiver receiver, List<Transport> transports, String... keys) {
    // Retention (which also discards deliveries of deleted endpoints) every second.
    return Objects.requireNonNull(Relay.start(ConfigLoader.parse(config(db, List.of(keys), receiver.url("fixed")),
        "test", Map.of("RELAY_DELIVERY_RETENTION_INTERVAL", "1s")), (c, r, s) -> {
          Transport t = WebhookTransport.create(c, r, s);
          transports.add(t);
          return t;
        })
        .block(Duration.ofMinutes(1)));
  }

  /** Whether no relay holds {@code endpoint} at a version other than {@code version} (null: at any). */
  static boolean noneHolds(List<Transport> transports, String endpoint, @Nullable Long version) {
    return transports.stream().map(t -> t.heldRuntimeVersions().get(endpoint))
        .allMatch(held -> held == null || held.equals(version));
  }

  static void stop(Relay... relays) {
    for (Relay r : relays) {
      r.stop().block(Duration.ofSeconds(30));
    }
  }

  /** Runs statements in one transaction (the application's), returning the first column of the last. */
  static String inOneTransaction(TestDatabase db, String... statements) throws SQLException {
    try (Connection c = db.jdbc()) {
      c.setAutoCommit(false);
      String last = null;
      for (String sql : statements) {
        try (PreparedStatement p = c.prepareStatement(db.resolve(sql)); ResultSet rs = p.executeQuery()) {
          if (rs.next()) {
            last = rs.getString(1);
          }
        }
      }
      c.commit();
      return last;
    }
  }

  static String create(TestDatabase db, String name, String url, String types) {
    return String.valueOf(db.scalar("SELECT {schema}.create_endpoint(?, ?, ?::text[], 'acme', '{\"plan\": \"pro\"}')",
        name, url, types));
  }

  /** Published to tenant acme, whose runtime endpoints (create makes them all acme's) take it by type. */
  static void publish(TestDatabase db, String type, String id) {
    db.execute("SELECT {schema}.publish(?, '{\"n\": 1}'::jsonb, NULL, ?, tenant => 'acme')", type, id);
  }

  @Test
  void endpointCreatedInTheApplicationsTransactionIsServedByEveryRelaySignedWithItsOwnSecret(TestDatabase db)
      throws SQLException {
    try (RecordingReceiver receiver = new RecordingReceiver()) {
      Relay a = start(db, receiver, KEY_1);
      Relay b = start(db, receiver, KEY_1);
      try {
        // One transaction: the endpoint and the first events to it commit together.
        String secret = inOneTransaction(db,
            "SELECT {schema}.publish('order.paid', '{}'::jsonb, NULL, 'first-0', tenant => 'acme')",
            "SELECT {schema}.create_endpoint('acme-orders', '" + receiver.url("acme") + "', '{order.*}', 'acme')");
        assertThat(secret).startsWith("whsec_");
        List<String> ids = IntStream.range(1, 41).mapToObj(i -> "acme-" + i).toList();
        ids.forEach(id -> publish(db, "order.paid", id));
        publish(db, "invoice.paid", "not-subscribed");
        // Not to the tenant: a runtime endpoint never gets it, whatever types it takes.
        db.execute("SELECT {schema}.publish('order.paid', '{}'::jsonb, NULL, 'broadcast-1')");
        db.execute("SELECT {schema}.publish('order.paid', '{}'::jsonb, NULL, 'other-tenant-1', tenant => 'globex')");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.ids("acme").containsAll(ids));
        // Published before the endpoint existed (same transaction, earlier statement): not routed to it.
        assertThat(receiver.ids("acme")).doesNotContain("first-0", "not-subscribed", "broadcast-1", "other-tenant-1");
        // A batch: addressed to the tenant or to the endpoint reaches it, addressed to neither does not.
        db.execute("SELECT {schema}.publish_batch('[{\"event_type\": \"order.paid\", \"payload\": {}, \"event_id\": "
            + "\"batch-tenant\", \"tenant\": \"acme\"}, {\"event_type\": \"order.paid\", \"payload\": {}, "
            + "\"event_id\": \"batch-endpoint\", \"endpoint\": \"acme-orders\"}, {\"event_type\": \"order.paid\", "
            + "\"payload\": {}, \"event_id\": \"batch-broadcast\"}]'::jsonb)");
        await().atMost(Duration.ofSeconds(20))
            .until(() -> receiver.ids("acme").containsAll(List.of("batch-tenant", "batch-endpoint")));
        // Settles land a moment after the receiver saw the posts: replay once they all have.
        await().atMost(Duration.ofSeconds(20)).until(() -> db.count(
            "SELECT count(*) FROM {schema}.delivery WHERE endpoint = 'acme-orders' AND state = 'pending'") == 0);
        // An operator's replay gives the endpoint what was its own, and what its tenant was sent
        // before it existed (first-0), never another tenant's or a broadcast nobody took.
        Http.Response replay = new Http(a.baseUrl(), TestConfigs.TOKEN).post("/admin/endpoints/acme-orders/replay",
            "{\"since\": \"2000-01-01T00:00:00Z\"}");
        assertThat(replay.status()).as(replay.body()).isEqualTo(200);
        assertThat(replay.json().get("replayed").asLong()).isEqualTo(ids.size() + 3);
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.ids("acme").contains("first-0"));
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.ids("acme").size() >= 2 * (ids.size() + 2) + 1);
        assertThat(receiver.ids("acme")).doesNotContain("not-subscribed", "broadcast-1", "other-tenant-1",
            "batch-broadcast");
        assertThat(receiver.to("acme")).allMatch(r -> r.signedBy(secret))
            .noneMatch(r -> r.signedBy(TestConfigs.SECRET));
        // Both relays serve it (registered for it), and the secret is sealed at rest.
        assertThat(db.count("SELECT count(*) FROM {schema}.instance WHERE serves_runtime")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> db.count(
            "SELECT count(*) FROM {schema}.endpoint WHERE name = 'acme-orders' AND secret_plain IS NULL") == 1);
        String sealed = String.valueOf(db.scalar("SELECT secret_sealed FROM {schema}.endpoint WHERE name = 'acme-orders'"));
        assertThat(sealed).matches("[0-9a-f]{8}:[A-Za-z0-9+/=]+").doesNotContain(secret.substring(6));
        // Metrics: one shared series for runtime endpoints, none named after the endpoint.
        String metrics = new Http(a.baseUrl(), null).get("/metrics").body() + new Http(b.baseUrl(), null).get("/metrics").body();
        assertThat(metrics).contains("endpoint=\"_runtime\"").doesNotContain("endpoint=\"acme-orders\"");
        assertThat(PrometheusText.sum(PrometheusText.parse(new Http(a.baseUrl(), null).get("/metrics").body()),
            "relay_deliveries_delivered_total", "endpoint=\"_runtime\"")
            + PrometheusText.sum(PrometheusText.parse(new Http(b.baseUrl(), null).get("/metrics").body()),
            "relay_deliveries_delivered_total", "endpoint=\"_runtime\"")).isGreaterThanOrEqualTo(ids.size());
      } finally {
        stop(a, b);
      }
    }
  }

  @Test
  void everyRelaySeesAChangeAtOnceAndALostNotificationAtTheNextPoll(TestDatabase db) {
    try (RecordingReceiver receiver = new RecordingReceiver()) {
      List<Transport> transports = new CopyOnWriteArrayList<>();
      Relay a = start(db, receiver, transports, KEY_1);
      Relay b = start(db, receiver, transports, KEY_1);
      try {
        create(db, "moving", receiver.url("old"), "{move.*}");
        List<String> before = IntStream.range(0, 20).mapToObj(i -> "move-a-" + i).toList();
        before.forEach(id -> publish(db, "move.it", id));
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.ids("old").containsAll(before));

        // Through the function: NOTIFY tells every relay to drop its copy.
        db.execute("SELECT {schema}.update_endpoint('moving', url => ?)", receiver.url("new"));
        List<String> after = IntStream.range(0, 20).mapToObj(i -> "move-b-" + i).toList();
        after.forEach(id -> publish(db, "move.it", id));
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.ids("new").containsAll(after));
        assertThat(receiver.ids("old")).doesNotContainAnyElementsOf(after);

        // Behind the functions' back, with no notification: the poll compares versions.
        db.execute("UPDATE {schema}.endpoint SET url = ?, version = version + 1 WHERE name = 'moving'",
            receiver.url("newer"));
        // Within a poll interval (500 ms here) both relays drop their copy and read the new URL:
        // later events go there.
        long version = db.count("SELECT version FROM {schema}.endpoint WHERE name = 'moving'");
        List<String> last = IntStream.range(0, 20).mapToObj(i -> "move-d-" + i).toList();
        await().atMost(Duration.ofSeconds(5)).until(() -> noneHolds(transports, "moving", version));
        last.forEach(id -> publish(db, "move.it", id));
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.ids("newer").containsAll(last));
        assertThat(receiver.ids("new")).doesNotContainAnyElementsOf(last);
      } finally {
        stop(a, b);
      }
    }
  }

  @Test
  void deletingAnEndpointDiscardsItsPendingDeliveriesWithTheReason(TestDatabase db) {
    try (RecordingReceiver receiver = new RecordingReceiver()) {
      Relay a = start(db, receiver, KEY_1);
      try {
        create(db, "leaving", receiver.url("leaving"), "{leave.*}");
        db.execute("SELECT {schema}.update_endpoint('leaving', paused => true)");
        IntStream.range(0, 5).forEach(i -> publish(db, "leave.now", "leave-" + i));
        assertThat(db.scalar("SELECT {schema}.delete_endpoint('leaving', 'customer closed the account')"))
            .isEqualTo(5L);
        assertThat(db.rows("SELECT state, last_error FROM {schema}.delivery WHERE endpoint = 'leaving'"))
            .hasSize(5)
            .allMatch(r -> r.get(0).equals("discarded") && r.get(1).equals("endpoint deleted: customer closed the account"));
        // A tombstone keeps the name (and erases the URL and secrets) until retention frees it.
        assertThat(db.rows("SELECT removed, url, secret_sealed, secret_plain FROM {schema}.endpoint WHERE name = 'leaving'"))
            .singleElement().isEqualTo(java.util.Arrays.asList(true, null, null, null));
        assertThat(db.count("SELECT count(*) FROM {schema}.instance_endpoint WHERE endpoint = 'leaving'")).isZero();
        assertThatThrownBy(() -> create(db, "leaving", receiver.url("leaving"), "{leave.*}"))
            .hasMessageContaining("was deleted at").hasMessageContaining("name stays taken");
        // A targeted publish to it is now an error; a broadcast is unrouted.
        assertThatThrownBy(() -> db.execute("SELECT {schema}.publish('leave.now', '{}'::jsonb, endpoint => 'leaving')"))
            .hasMessageContaining("unknown endpoint");
        assertThat(receiver.ids("leaving")).isEmpty();
      } finally {
        stop(a);
      }
    }
  }

  @Test
  void aPublishCommittedWhileItsEndpointWasBeingDeletedIsDiscardedNotLeftPending(TestDatabase db) throws SQLException {
    try (RecordingReceiver receiver = new RecordingReceiver()) {
      Relay a = start(db, receiver, KEY_1);
      try (Connection app = db.jdbc()) {
        create(db, "racing", receiver.url("racing"), "{race.*}");
        db.execute("SELECT {schema}.update_endpoint('racing', paused => true)");
        app.setAutoCommit(false);
        try (PreparedStatement p = app.prepareStatement(db.resolve(
            "SELECT {schema}.publish('race.x', '{}'::jsonb, NULL, 'race-1', endpoint => 'racing')"))) {
          p.execute(); // routed to racing, not committed yet
        }
        // The delete cannot see the uncommitted delivery, so it discards nothing...
        assertThat(db.scalar("SELECT {schema}.delete_endpoint('racing', 'gone')")).isEqualTo(0L);
        app.commit();
        // ...and the delivery that commits after it is discarded by the next retention run.
        await().atMost(Duration.ofSeconds(20)).until(() -> "discarded".equals(db.scalar(
            "SELECT d.state FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id "
                + "WHERE m.event_id = 'race-1'")));
        assertThat(String.valueOf(db.scalar("SELECT d.last_error FROM {schema}.delivery d JOIN {schema}.message m "
            + "ON m.id = d.message_id WHERE m.event_id = 'race-1'"))).startsWith("endpoint deleted");
        assertThat(receiver.ids("racing")).isEmpty();
      } finally {
        stop(a);
      }
    }
  }

  @Test
  void configuredEndpointsCannotBeChangedAtRuntimeAndNamesAreChecked(TestDatabase db) {
    try (RecordingReceiver receiver = new RecordingReceiver()) {
      Relay a = start(db, receiver, KEY_1);
      try {
        assertThatThrownBy(() -> db.execute("SELECT {schema}.update_endpoint('fixed', url => 'https://example.com/x')"))
            .hasMessageContaining("endpoint \"fixed\" is managed by the relay configuration");
        assertThatThrownBy(() -> db.execute("SELECT {schema}.delete_endpoint('fixed')"))
            .hasMessageContaining("managed by the relay configuration");
        assertThatThrownBy(() -> create(db, "fixed", "https://example.com/x", "{}"))
            .hasMessageContaining("already exists (managed by the relay configuration)");
        assertThatThrownBy(() -> create(db, "Bad Name", "https://example.com/x", "{}"))
            .hasMessageContaining("name must be 1-64 lower-case letters");
        assertThatThrownBy(() -> create(db, "userinfo", "https://user:pw@example.com/x", "{}"))
            .hasMessageContaining("without user-info").hasMessageNotContaining("user:pw");
        assertThatThrownBy(() -> db.execute("SELECT {schema}.create_endpoint('short', 'https://e.com', secret => 'whsec_AAAA')"))
            .hasMessageContaining("secret must encode 24 to 64 bytes");
        assertThatThrownBy(() -> db.execute("SELECT {schema}.update_endpoint('nobody', url => 'https://e.com')"))
            .hasMessageContaining("no endpoint named \"nobody\"");
      } finally {
        stop(a);
      }
    }
  }

  @Test
  void aRotatedSecretSignsBesideTheNewOneUntilItsOverlapEnds(TestDatabase db) {
    try (RecordingReceiver receiver = new RecordingReceiver()) {
      List<Transport> transports = new CopyOnWriteArrayList<>();
      Relay a = start(db, receiver, transports, KEY_1);
      Relay b = start(db, receiver, transports, KEY_1);
      try {
        String old = create(db, "rotating", receiver.url("rot"), "{rot.*}");
        publish(db, "rot.x", "rot-0");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.ids("rot").contains("rot-0"));
        String fresh = String.valueOf(db.scalar("SELECT {schema}.rotate_endpoint_secret('rotating')"));
        assertThat(fresh).startsWith("whsec_").isNotEqualTo(old);
        // Rotating again during the overlap would stop the old secret at once: refused.
        assertThatThrownBy(() -> db.scalar("SELECT {schema}.rotate_endpoint_secret('rotating')"))
            .hasMessageContaining("is in the overlap of its last rotation");
        List<String> during = IntStream.range(0, 10).mapToObj(i -> "rot-during-" + i).toList();
        during.forEach(id -> publish(db, "rot.x", id));
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.ids("rot").containsAll(during));
        assertThat(receiver.to("rot").stream().filter(r -> during.contains(r.id())))
            .allMatch(r -> r.signedBy(old) && r.signedBy(fresh) && r.signatures().split(" ").length == 2);

        // The overlap ends (database time moved by an update), and the relays are told.
        db.execute("UPDATE {schema}.endpoint SET previous_secret_expires_at = now() - interval '1 second' "
            + "WHERE name = 'rotating'");
        db.execute("SELECT {schema}.endpoint_changed('rotating')");
        await().atMost(Duration.ofSeconds(5)).until(() -> noneHolds(transports, "rotating", null));
        List<String> afterwards = IntStream.range(0, 10).mapToObj(i -> "rot-after-" + i).toList();
        afterwards.forEach(id -> publish(db, "rot.x", id));
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.ids("rot").containsAll(afterwards));
        assertThat(receiver.to("rot").stream().filter(r -> afterwards.contains(r.id())))
            .allMatch(r -> r.signedBy(fresh) && !r.signedBy(old) && r.signatures().split(" ").length == 1);
        // The sealing pass drops the expired previous secret.
        await().atMost(Duration.ofSeconds(10)).until(() -> db.count("SELECT count(*) FROM {schema}.endpoint "
            + "WHERE name = 'rotating' AND previous_secret_sealed IS NULL AND previous_secret_plain IS NULL") == 1);
      } finally {
        stop(a, b);
      }
    }
  }

  @Test
  void aNewKeyReSealsEverySecretAndTheOldKeyCanThenGo(TestDatabase db) {
    try (RecordingReceiver receiver = new RecordingReceiver()) {
      Relay a = start(db, receiver, KEY_1);
      String secret;
      String oldKeyId;
      try {
        secret = create(db, "rekeyed", receiver.url("rekey"), "{rekey.*}");
        await().atMost(Duration.ofSeconds(10)).until(() -> db.count(
            "SELECT count(*) FROM {schema}.endpoint WHERE name = 'rekeyed' AND secret_sealed IS NOT NULL") == 1);
        oldKeyId = String.valueOf(db.scalar("SELECT split_part(secret_sealed, ':', 1) FROM {schema}.endpoint "
            + "WHERE name = 'rekeyed'"));
      } finally {
        stop(a);
      }
      // Rotation step 1: the new key first, the old one still there. The relay re-seals at start.
      Relay both = start(db, receiver, KEY_2, KEY_1);
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> !oldKeyId.equals(db.scalar(
            "SELECT split_part(secret_sealed, ':', 1) FROM {schema}.endpoint WHERE name = 'rekeyed'")));
      } finally {
        stop(both);
      }
      // Step 2: the old key removed; the endpoint still signs with its (unchanged) secret.
      Relay onlyNew = start(db, receiver, KEY_2);
      try {
        publish(db, "rekey.x", "rekey-1");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.ids("rekey").contains("rekey-1"));
        assertThat(receiver.to("rekey")).allMatch(r -> r.signedBy(secret));
      } finally {
        stop(onlyNew);
      }
    }
  }

  @Test
  void theAdminApiManagesRuntimeEndpointsAndNeverShowsASecretTwice(TestDatabase db) {
    try (RecordingReceiver receiver = new RecordingReceiver()) {
      Relay a = start(db, receiver, KEY_1);
      try {
        Http admin = new Http(a.baseUrl(), TestConfigs.TOKEN);
        Http.Response created = admin.post("/admin/runtime-endpoints", """
            {"name": "api-made", "url": "%s?token=abc", "event_types": ["api.*"], "tenant": "globex",
             "metadata": {"customer_id": 42}}""".formatted(receiver.url("api")));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String secret = created.json().get("secret").asText();
        JsonNode view = created.json().get("endpoint");
        assertThat(view.get("url").asText()).matches("http://127\\.0\\.0\\.1:\\d+/\\(path hidden\\)");
        assertThat(view.get("secret_sealed").asBoolean()).isTrue();
        assertThat(view.get("metadata").get("customer_id").asInt()).isEqualTo(42);
        // Sealed before the answer: no plain text left.
        assertThat(db.count("SELECT count(*) FROM {schema}.endpoint WHERE name = 'api-made' AND secret_plain IS NULL"))
            .isEqualTo(1);
        Http.Response read = admin.get("/admin/runtime-endpoints/api-made");
        assertThat(read.body()).doesNotContain(secret).doesNotContain(secret.substring(6));
        assertThat(admin.get("/admin/runtime-endpoints?tenant=globex").json().get("endpoints").size()).isEqualTo(1);
        assertThat(admin.get("/admin/runtime-endpoints?tenant=nobody").json().get("endpoints").size()).isZero();

        db.execute("SELECT {schema}.publish('api.x', '{}'::jsonb, NULL, 'api-1', tenant => 'globex')");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.ids("api").contains("api-1"));
        assertThat(receiver.to("api")).allMatch(r -> r.signedBy(secret));

        Http.Response patched = admin.patch("/admin/runtime-endpoints/api-made", "{\"event_types\": [\"other.*\"]}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().get("event_types").get(0).asText()).isEqualTo("other.*");
        assertThat(patched.json().get("version").asLong()).isGreaterThan(view.get("version").asLong());

        Http.Response rotated = admin.post("/admin/runtime-endpoints/api-made/rotate-secret", "{\"overlap\": \"1h\"}");
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        assertThat(admin.post("/admin/runtime-endpoints/api-made/rotate-secret", "{}").status()).isEqualTo(409);
        assertThat(admin.post("/admin/runtime-endpoints/api-made/rotate-secret", "{\"force\": true}").status())
            .isEqualTo(200);
        assertThat(rotated.json().get("secret").asText()).startsWith("whsec_").isNotEqualTo(secret);
        assertThat(rotated.json().get("previous_secret_signs_until").isNull()).isFalse();

        assertThat(admin.post("/admin/runtime-endpoints", "{\"name\": \"fixed\", \"url\": \"https://e.com\"}").status())
            .isEqualTo(409);
        assertThat(admin.patch("/admin/runtime-endpoints/fixed", "{\"url\": \"https://e.com\"}").status())
            .isEqualTo(409);
        assertThat(admin.post("/admin/runtime-endpoints", "{\"name\": \"x\", \"url\": \"ftp://e.com\"}").status())
            .isEqualTo(400);
        Http.Response fragment = admin.post("/admin/runtime-endpoints",
            "{\"name\": \"x\", \"url\": \"https://e.com/hook#secret-token\"}");
        assertThat(fragment.status()).isEqualTo(400);
        assertThat(fragment.body()).contains("#fragment").doesNotContain("secret-token");
        assertThat(admin.patch("/admin/runtime-endpoints/nobody", "{\"url\": \"https://e.com\"}").status())
            .isEqualTo(404);

        db.execute("SELECT {schema}.update_endpoint('api-made', paused => true)");
        db.execute("SELECT {schema}.publish('other.x', '{}'::jsonb, NULL, 'api-2', tenant => 'globex')");
        Http.Response deleted = admin.delete("/admin/runtime-endpoints/api-made?reason=test");
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(deleted.json().get("discarded").asLong()).isEqualTo(1);
        assertThat(admin.get("/admin/runtime-endpoints/api-made").status()).isEqualTo(404);
      } finally {
        stop(a);
      }
    }
  }

  @Test
  void aRelayWithoutAKeyNeitherServesNorCreatesRuntimeEndpoints(TestDatabase db) {
    try (RecordingReceiver receiver = new RecordingReceiver()) {
      Relay keyless = start(db, receiver);
      try {
        create(db, "unserved", receiver.url("unserved"), "{unserved.*}");
        publish(db, "unserved.x", "unserved-1");
        assertThat(db.count("SELECT count(*) FROM {schema}.instance_endpoint WHERE endpoint = 'unserved'")).isZero();
        Http admin = new Http(keyless.baseUrl(), TestConfigs.TOKEN);
        Http.Response refused = admin.post("/admin/runtime-endpoints", "{\"name\": \"nokey\", \"url\": \"https://e.com\"}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).contains("runtime-endpoints.encryption-keys");
        // A relay with a key, started later, serves what waited.
        Relay keyed = start(db, receiver, KEY_1);
        try {
          await().atMost(Duration.ofSeconds(20)).until(() -> receiver.ids("unserved").contains("unserved-1"));
        } finally {
          stop(keyed);
        }
        assertThat(receiver.ids("unserved")).hasSize(1);
      } finally {
        stop(keyless);
      }
    }
  }
}
