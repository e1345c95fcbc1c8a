package dev.relay.webhook;

import static dev.relay.webhook.testing.Fixtures.endpoint;
import static dev.relay.webhook.testing.MapResolverGroup.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.config.WebhookEndpoint;
import dev.relay.webhook.config.WebhookSettings;
import dev.relay.webhook.testing.Deliveries;
import dev.relay.webhook.testing.MapResolverGroup;
import dev.relay.webhook.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The SSRF guard against a real server on 127.0.0.1: refused targets never reach it (no TCP
 * connection at all), allow-listed ones do. Host names resolve through a resolver the test
 * controls, so "a name resolving to a private address" needs no real DNS.
 */
class SsrfIT {

  static final MapResolverGroup DNS = new MapResolverGroup(Map.ofEntries(
      Map.entry("localhost", List.of(ip("127.0.0.1"))),
      Map.entry("localhost.", List.of(ip("127.0.0.1"))),
      Map.entry("internal.example", List.of(ip("10.0.0.5"))),
      Map.entry("metadata.example", List.of(ip("169.254.169.254"))),
      Map.entry("ula.example", List.of(ip("fd00::1"))),
      Map.entry("loop6.example", List.of(ip("::1"))),
      Map.entry("mapped.example", List.of(ip("::ffff:192.168.0.1"))),
      Map.entry("cgnat.example", List.of(ip("100.64.1.1"))),
      Map.entry("nat64.example", List.of(ip("64:ff9b::7f00:1"))),
      Map.entry("sixtofour.example", List.of(ip("2002:7f00:1::1"))),
      Map.entry("rebind.example", List.of(ip("93.184.216.34"), ip("127.0.0.1")))));

  /** Hosts that are addresses in some spelling: refused without any DNS lookup. */
  static final List<String> NUMERIC_HOSTS = List.of(
      "127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1", "127.1", "0x7f000001", "127.0.0.1.",
      "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "0.0.0.0", "0", "[::]", "10.0.0.1",
      "012.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "0xa9fea9fe", "100.64.0.1",
      "[fd00::1]", "[fe80::1]", "224.0.0.1", "255.255.255.255", "240.0.0.1", "198.18.0.1",
      "[64:ff9b::a9fe:a9fe]", "[2002:a9fe:a9fe::]", "[::7f00:1]", "1.2.3.256");

  /** Names whose (test) DNS answer is refused. */
  static final List<String> NAMES = List.of(
      "localhost", "localhost.", "internal.example", "metadata.example", "ula.example",
      "loop6.example", "mapped.example", "cgnat.example", "nat64.example", "sixtofour.example",
      "rebind.example");

  TestServer server;
  final List<WebhookDeliverer> deliverers = new ArrayList<>();

  @BeforeEach
  void start() {
    server = TestServer.start((req, res) -> res.status(200).sendString(Mono.just("ok")));
  }

  @AfterEach
  void stop() {
    deliverers.forEach(d -> d.disposeLater().block(Duration.ofSeconds(10)));
    server.close();
  }

  @Test
  void privateAndSpecialTargetsAreRefusedBeforeAnyConnection() {
    Map<String, String> hostsByEndpoint = new LinkedHashMap<>();
    List<String> hosts = new ArrayList<>(NUMERIC_HOSTS);
    hosts.addAll(NAMES);
    for (int i = 0; i < hosts.size(); i++) {
      hostsByEndpoint.put("e" + i, hosts.get(i));
    }
    assertThat(hostsByEndpoint).hasSizeGreaterThanOrEqualTo(40);
    WebhookDeliverer deliverer = deliverer(WebhookSettings.DEFAULTS.withAllowHttp(true),
        endpoints(hostsByEndpoint, List.of()));

    hostsByEndpoint.forEach((name, host) -> {
      Outcome o = deliverer.deliver(Deliveries.to(name)).block(Duration.ofSeconds(10));
      assertThat(o).as(host).isInstanceOfSatisfying(Outcome.Terminal.class, t -> {
        assertThat(t.reason()).as(host).startsWith("refused by SSRF guard: ");
        assertThat(t.disableEndpoint()).isFalse();
        assertThat(t.statusCode()).isNull();
      });
    });

    assertThat(server.connections()).as("TCP connections the server accepted").isZero();
    assertThat(server.requests()).isEmpty();
    for (String host : NUMERIC_HOSTS) {
      assertThat(DNS.lookups(host)).as("DNS lookups of numeric host %s", host).isZero();
    }
    for (String name : NAMES) {
      assertThat(DNS.lookups(name)).as("DNS lookups of %s", name).isPositive();
    }
  }

  @Test
  void reasonsSayWhatWasRefusedAndWhy() {
    WebhookDeliverer deliverer = deliverer(WebhookSettings.DEFAULTS.withAllowHttp(true),
        endpoints(Map.of("meta", "metadata.example", "hex", "0x7f.1", "mapped", "[::ffff:10.0.0.1]"),
            List.of()));
    assertThat(reason(deliverer, "meta")).isEqualTo("refused by SSRF guard: host 'metadata.example'"
        + " resolved to 169.254.169.254 is link-local (cloud metadata) 169.254.0.0/16, not in"
        + " allowed-networks");
    assertThat(reason(deliverer, "hex")).isEqualTo("refused by SSRF guard: 127.0.0.1 is loopback"
        + " 127.0.0.0/8, not in allowed-networks");
    assertThat(reason(deliverer, "mapped")).contains("10.0.0.1 is private 10.0.0.0/8");
  }

  @Test
  void allowListedLoopbackSpellingsReachTheServer() {
    List<String> loopback = List.of("127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1", "127.1",
        "[::ffff:127.0.0.1]", "localhost", "localhost.");
    Map<String, String> hostsByEndpoint = new LinkedHashMap<>();
    for (int i = 0; i < loopback.size(); i++) {
      hostsByEndpoint.put("ok" + i, loopback.get(i));
    }
    hostsByEndpoint.put("still-private", "internal.example");
    hostsByEndpoint.put("still-rebind", "nat64.example");
    // Half opened per endpoint, half globally: both lists count.
    WebhookDeliverer deliverer = deliverer(
        WebhookSettings.DEFAULTS.withAllowHttp(true).withAllowedNetworks(List.of("127.0.0.0/9")),
        endpoints(hostsByEndpoint, List.of("127.128.0.0/9")));

    for (int i = 0; i < loopback.size(); i++) {
      assertThat(deliverer.deliver(Deliveries.to("ok" + i)).block(Duration.ofSeconds(10)).with(null))
          .as(loopback.get(i)).isEqualTo(Outcome.delivered(200));
    }
    assertThat(server.requests()).hasSize(loopback.size());
    assertThat(deliverer.deliver(Deliveries.to("still-private")).block(Duration.ofSeconds(10)))
        .isInstanceOf(Outcome.Terminal.class);
    assertThat(deliverer.deliver(Deliveries.to("still-rebind")).block(Duration.ofSeconds(10)))
        .isInstanceOf(Outcome.Terminal.class);
    assertThat(server.requests()).hasSize(loopback.size());
  }

  @Test
  void aConnectionPooledForAnAllowListedEndpointIsNotReusedByAnother() {
    String url = "http://localhost:" + server.port() + "/";
    WebhookEndpoint open = endpoint("open", url).withAllowHttp(true)
        .withAllowedNetworks(List.of("127.0.0.0/8"));
    WebhookEndpoint closed = endpoint("closed", url).withAllowHttp(true);
    WebhookDeliverer deliverer = deliverer(WebhookSettings.DEFAULTS, List.of(open, closed));

    assertThat(deliverer.deliver(Deliveries.to("open")).block(Duration.ofSeconds(10)).with(null))
        .isEqualTo(Outcome.delivered(200));
    // The keep-alive connection to localhost:port is now idle in a pool; "closed" must not get it.
    assertThat(deliverer.deliver(Deliveries.to("closed")).block(Duration.ofSeconds(10)))
        .isInstanceOfSatisfying(Outcome.Terminal.class,
            t -> assertThat(t.reason()).contains("127.0.0.1 is loopback"));
    assertThat(server.requests()).hasSize(1);
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void productionResolverAnswersAreGuardedToo() {
    // No test resolver: Reactor Netty's asynchronous DNS resolver (localhost comes from the hosts
    // file, nothing leaves the machine).
    String url = "http://localhost:" + server.port() + "/";
    WebhookDeliverer d = WebhookDeliverer.create(WebhookSettings.DEFAULTS,
        List.of(endpoint("guarded", url).withAllowHttp(true),
            endpoint("opened", url).withAllowHttp(true).withAllowedNetworks(List.of("127.0.0.0/8"))),
        new SimpleMeterRegistry());
    deliverers.add(d);
    assertThat(d.deliver(Deliveries.to("guarded")).block(Duration.ofSeconds(10)))
        .isInstanceOfSatisfying(Outcome.Terminal.class,
            t -> assertThat(t.reason()).startsWith("refused by SSRF guard: host 'localhost' resolved to"));
    assertThat(server.connections()).isZero();
    assertThat(d.deliver(Deliveries.to("opened")).block(Duration.ofSeconds(10)).with(null))
        .isEqualTo(Outcome.delivered(200));
    assertThat(server.requests()).hasSize(1);
  }

  private WebhookDeliverer deliverer(WebhookSettings settings, List<WebhookEndpoint> endpoints) {
    WebhookDeliverer d = WebhookDeliverer.builder(settings, endpoints, new SimpleMeterRegistry())
        .dnsResolver(DNS).build();
    deliverers.add(d);
    return d;
  }

  private List<WebhookEndpoint> endpoints(Map<String, String> hostsByEndpoint, List<String> allowed) {
    List<WebhookEndpoint> out = new ArrayList<>();
    hostsByEndpoint.forEach((name, host) -> out.add(
        endpoint(name, "http://" + host + ":" + server.port() + "/hook")
            .withAllowHttp(true).withAllowedNetworks(allowed)));
    return out;
  }

  private static String reason(WebhookDeliverer d, String endpoint) {
    return ((Outcome.Terminal) d.deliver(Deliveries.to(endpoint)).block(Duration.ofSeconds(10)))
        .reason();
  }
}
