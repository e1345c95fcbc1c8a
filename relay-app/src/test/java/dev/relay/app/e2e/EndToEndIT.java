package dev.relay.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.app.Http;
import dev.relay.app.PrometheusText;
import dev.relay.app.TestConfigs;
import dev.relay.app.VerifyingReceiver;
import dev.relay.app.config.ConfigLoader;
import dev.relay.app.config.RelayConfig;
import dev.relay.app.runtime.Relay;
import dev.relay.app.runtime.WebhookTransport;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole relay as {@code relay run} starts it (config file, real Postgres, relay-webhook over
 * real HTTP), publishing through SQL in the application's transaction.
 */
@ExtendWith(PostgresExtension.class)
class EndToEndIT {

  static String config(TestDatabase db, VerifyingReceiver receiver, boolean withCrm) {
    return TestConfigs.database(db.config()) + TestConfigs.FAST_DELIVERY + """
        endpoints:
          - name: billing
            url: %s
            secrets: ["${BILLING_SECRET}"]
            event-types: ["invoice.*"]
            allow-http: true
            allowed-networks: [127.0.0.0/8]
        """.formatted(receiver.url("billing"))
        + (withCrm ? """
          - name: crm
            url: %s
            secrets: ["${BILLING_SECRET}"]
            event-types: ["customer.*"]
            allow-http: true
            allowed-networks: [127.0.0.0/8]
        """.formatted(receiver.url("crm")) : "");
  }

  static Relay start(Path file, String yaml) throws IOException {
    Files.writeString(file, yaml);
    RelayConfig config = ConfigLoader.load(file, Map.of("BILLING_SECRET", TestConfigs.SECRET));
    return Relay.start(config, WebhookTransport::create).block(Duration.ofMinutes(1));
  }

  @Test
  void publishedRowsArriveSignedAndShowInMetrics(TestDatabase db, @TempDir Path dir) throws IOException {
    try (VerifyingReceiver receiver = new VerifyingReceiver(TestConfigs.SECRET, Duration.ZERO)) {
      Relay relay = start(dir.resolve("relay.yaml"), config(db, receiver, true));
      try {
        Set<String> invoices = new HashSet<>();
        Set<String> customers = new HashSet<>();
        for (int i = 0; i < 30; i++) {
          String type = i % 3 == 0 ? "customer.updated" : "invoice.paid";
          String id = "e2e-" + i;
          (type.startsWith("customer") ? customers : invoices).add(id);
          // the application's own transaction: business row and publish together
          db.execute("SELECT {schema}.publish(?, jsonb_build_object('n', ?::int), 'order-' || ?, ?)", type, i, i % 4, id);
        }
        db.execute("SELECT {schema}.publish('unrelated.event', '{}'::jsonb)");
        await().atMost(Duration.ofSeconds(20))
            .until(() -> receiver.received("billing").containsAll(invoices) && receiver.received("crm").containsAll(customers));
        assertThat(receiver.received("billing")).hasSameElementsAs(invoices);
        assertThat(receiver.received("crm")).hasSameElementsAs(customers);
        assertThat(receiver.badSignatures()).isZero();

        Http http = new Http(relay.baseUrl(), null);
        // The receiver has every post before the relay's settles land, and deliveries are counted
        // once they have.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          Http.Response metrics = http.get("/metrics");
          assertThat(metrics.status()).isEqualTo(200);
          Map<String, Double> samples = PrometheusText.parse(metrics.body());
          assertThat(PrometheusText.sum(samples, "relay_deliveries_delivered_total", "endpoint=\"billing\""))
              .isEqualTo(invoices.size());
          assertThat(PrometheusText.sum(samples, "relay_deliveries_delivered_total", "endpoint=\"crm\""))
              .isEqualTo(customers.size());
        });
        Map<String, Double> samples = PrometheusText.parse(http.get("/metrics").body());
        assertThat(samples.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes"))
            .anyMatch(k -> k.startsWith("relay_db_pool_acquired"))
            .anyMatch(k -> k.startsWith("reactor_netty_"));
        assertThat(http.get("/health/ready").json().get("status").asText()).isEqualTo("ready");
      } finally {
        relay.stop().block(Duration.ofSeconds(30));
      }
    }
  }

  @Test
  void endpointRemovedFromConfigIsDisabledAndItsDeliveriesHeldUntilItReturns(TestDatabase db, @TempDir Path dir)
      throws IOException {
    try (VerifyingReceiver receiver = new VerifyingReceiver(TestConfigs.SECRET, Duration.ZERO)) {
      Path file = dir.resolve("relay.yaml");
      start(file, config(db, receiver, true)).stop().block(Duration.ofSeconds(30));
      // published while no relay runs: a pending delivery for crm
      db.execute("SELECT {schema}.publish('customer.held', '{}'::jsonb, NULL, 'held-1')");

      Relay withoutCrm = start(file, config(db, receiver, false));
      try {
        Http admin = new Http(withoutCrm.baseUrl(), TestConfigs.TOKEN);
        JsonNode crm = admin.get("/admin/endpoints/crm").json();
        assertThat(crm.get("state").asText()).isEqualTo("removed");
        assertThat(crm.get("backlog").asLong()).isEqualTo(1);
        db.execute("SELECT {schema}.publish('invoice.ok', '{}'::jsonb, NULL, 'ok-1')");
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received("billing").contains("ok-1"));
        assertThat(receiver.received("crm")).doesNotContain("held-1");
        assertThat(db.scalar("SELECT d.state FROM {schema}.delivery d JOIN {schema}.message m ON m.id = d.message_id "
            + "WHERE m.event_id = 'held-1' AND d.endpoint = 'crm'")).isEqualTo("pending");
      } finally {
        withoutCrm.stop().block(Duration.ofSeconds(30));
      }

      Relay back = start(file, config(db, receiver, true));
      try {
        assertThat(new Http(back.baseUrl(), TestConfigs.TOKEN).get("/admin/endpoints/crm").json()
            .get("state").asText()).isEqualTo("active");
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received("crm").contains("held-1"));
      } finally {
        back.stop().block(Duration.ofSeconds(30));
      }
    }
  }
}
