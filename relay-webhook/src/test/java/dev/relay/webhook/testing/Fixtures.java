package dev.relay.webhook.testing;

import dev.relay.webhook.config.WebhookEndpoint;
import dev.relay.webhook.config.WebhookSettings;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Settings and endpoints for tests against servers on 127.0.0.1. */
public final class Fixtures {

  public static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  private Fixtures() {}

  /** Plain http and loopback explicitly allowed, as a sidecar configuration would. */
  public static WebhookSettings loopbackSettings() {
    return WebhookSettings.DEFAULTS
        .withAllowHttp(true)
        .withAllowedNetworks(List.of("127.0.0.0/8"))
        .withAttemptDeadline(Duration.ofSeconds(5));
  }

  public static WebhookEndpoint endpoint(String name, String url) {
    return WebhookEndpoint.of(name, URI.create(url), List.of(SECRET));
  }

  /** A clock tests move by hand. */
  public static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    public MutableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    public void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }
}
