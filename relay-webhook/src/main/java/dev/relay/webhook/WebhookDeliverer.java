package dev.relay.webhook;

import dev.relay.engine.spi.Deliverer;
import dev.relay.engine.spi.Delivery;
import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.classify.OutcomeClassifier;
import dev.relay.webhook.client.ConnectionPools;
import dev.relay.webhook.client.EndpointClient;
import dev.relay.webhook.config.WebhookEndpoint;
import dev.relay.webhook.config.WebhookSettings;
import dev.relay.webhook.metrics.WebhookMetrics;
import dev.relay.webhook.resilience.BreakerState;
import dev.relay.webhook.resilience.EndpointGuards;
import dev.relay.webhook.signing.WebhookSigner;
import dev.relay.webhook.ssrf.AddressPolicy;
import dev.relay.webhook.ssrf.Cidr;
import dev.relay.webhook.ssrf.SsrfGuard;
import dev.relay.webhook.tracing.AttemptTracer;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.resolver.AddressResolverGroup;
import java.net.SocketAddress;
import dev.relay.webhook.config.EndpointSource;
import dev.relay.webhook.config.SourcePolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Delivers webhooks over HTTP: the {@link Deliverer} relay-app hands to the engine.
 *
 * <p>Each attempt is a POST of the payload, signed per Standard Webhooks ({@code webhook-id},
 * {@code webhook-timestamp}, {@code webhook-signature}), with the W3C {@code traceparent} of its
 * span when the message carries trace context (see {@link Builder#tracer}), through the endpoint's circuit breaker,
 * bulkhead and rate limiter, over a pooled keep-alive connection whose address the SSRF guard has
 * checked. Every reply or failure becomes an {@link Outcome}; {@link #deliver} never signals an
 * error.
 *
 * <pre>{@code
 * WebhookDeliverer deliverer = WebhookDeliverer.create(settings, endpoints, meterRegistry);
 * // engine: deliverer.deliver(delivery), deliverer.unavailableEndpoints()
 * // admin:  deliverer.breakerState("billing"), deliverer.maxInFlight("billing")
 * // shutdown, after the engine stopped: deliverer.disposeLater() (or close())
 * }</pre>
 */
public final class WebhookDeliverer implements Deliverer, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WebhookDeliverer.class);

  private final Map<String, EndpointPipeline> pipelines;
  private final @Nullable RuntimePipelines runtime;
  private final ConnectionProvider provider;
  private final WebhookMetrics metrics;

  private WebhookDeliverer(Map<String, EndpointPipeline> pipelines, @Nullable RuntimePipelines runtime,
      ConnectionProvider provider, WebhookMetrics metrics) {
    this.pipelines = pipelines;
    this.runtime = runtime;
    this.provider = provider;
    this.metrics = metrics;
  }

  /**
   * A deliverer for these endpoints, resolving host names with Reactor Netty's asynchronous DNS
   * resolver and signing with the system clock.
   *
   * @throws IllegalArgumentException naming the key, e.g. a duplicate endpoint name or an {@code
   *     http://} URL without {@code allow-http}
   */
  public static WebhookDeliverer create(
      WebhookSettings settings, List<WebhookEndpoint> endpoints, MeterRegistry registry) {
    return builder(settings, endpoints, registry).build();
  }

  public static Builder builder(
      WebhookSettings settings, List<WebhookEndpoint> endpoints, MeterRegistry registry) {
    return new Builder(settings, endpoints, registry);
  }

  @Override
  public Mono<Outcome> deliver(Delivery delivery) {
    EndpointPipeline pipeline = pipelines.get(delivery.endpoint());
    if (pipeline != null) {
      return pipeline.deliver(delivery);
    }
    RuntimePipelines found = runtime;
    if (found == null) {
      return Mono.just(Outcome.terminal(
          "unknown endpoint '" + delivery.endpoint() + "': not in the webhook configuration"));
    }
    return found.pipeline(delivery.endpoint())
        .flatMap(p -> p.deliver(delivery))
        .switchIfEmpty(Mono.fromSupplier(() -> Outcome.terminal(
            "endpoint '" + delivery.endpoint() + "' no longer exists (deleted at runtime)")))
        .onErrorResume(e -> Mono.just(e instanceof EndpointSource.Unusable
            ? Outcome.terminal("endpoint '" + delivery.endpoint() + "' cannot be delivered to: " + e.getMessage())
            // Not this delivery's fault (the database, or a key this relay lacks): not an attempt,
            // and the endpoint is left to other relays for a while (see RuntimePipelines).
            : Outcome.deferred("could not read endpoint '" + delivery.endpoint() + "': " + e.getMessage(),
                RuntimePipelines.FAILED_LOOKUP_PAUSE)));
  }

  /**
   * Drops what this deliverer holds of a runtime endpoint (it changed or was deleted); the next
   * delivery looks it up again. Attempts already running finish as they started.
   */
  public void forget(String endpoint) {
    RuntimePipelines r = runtime;
    if (r != null) {
      r.forget(endpoint);
    }
  }

  /** The version of each runtime endpoint held now, to compare with the source's. */
  public Map<String, Long> heldRuntimeVersions() {
    RuntimePipelines r = runtime;
    return r == null ? Map.of() : r.versions();
  }

  /** Evicts runtime endpoints idle past the idle time (also done now and then on delivery). */
  public void evictIdle() {
    RuntimePipelines r = runtime;
    if (r != null) {
      r.sweep();
    }
  }

  /** Endpoints whose circuit breaker is open: the engine must not claim their rows. */
  @Override
  public Set<String> unavailableEndpoints() {
    Set<String> out = null;
    for (EndpointPipeline p : pipelines.values()) {
      if (p.guards().state().blocksRequests()) {
        if (out == null) {
          out = new java.util.HashSet<>();
        }
        out.add(p.endpoint().name());
      }
    }
    RuntimePipelines r = runtime;
    if (r != null) {
      Set<String> more = new java.util.HashSet<>();
      r.unavailable(more);
      if (!more.isEmpty()) {
        if (out == null) {
          out = more;
        } else {
          out.addAll(more);
        }
      }
    }
    return out == null ? Set.of() : Collections.unmodifiableSet(out);
  }

  /** The configured endpoint names. */
  public Set<String> endpointNames() {
    return pipelines.keySet();
  }

  /**
   * The most attempts this deliverer runs at once for {@code endpoint} (its bulkhead); the engine
   * should claim no more than this for it.
   *
   * @throws IllegalArgumentException for an unknown endpoint
   */
  public int maxInFlight(String endpoint) {
    return pipeline(endpoint).guards().maxInFlight();
  }

  /** Attempts running now for {@code endpoint}. */
  public int inFlight(String endpoint) {
    return pipeline(endpoint).guards().inFlight();
  }

  /** The endpoint's circuit breaker state, or empty for an unknown endpoint. */
  public Optional<BreakerState> breakerState(String endpoint) {
    EndpointPipeline p = pipelines.get(endpoint);
    if (p != null) {
      return Optional.of(p.guards().state());
    }
    RuntimePipelines r = runtime;
    return r == null ? Optional.empty() : r.breakerState(endpoint);
  }

  /** Closes pooled connections; completes when they are closed. Call after the engine stopped. */
  public Mono<Void> disposeLater() {
    return provider.disposeLater().then(Mono.fromRunnable(metrics::close));
  }

  /** Starts closing pooled connections without waiting (see {@link #disposeLater()}). */
  @Override
  public void close() {
    metrics.close();
    provider.dispose();
  }

  private EndpointPipeline pipeline(String endpoint) {
    EndpointPipeline p = pipelines.get(endpoint);
    if (p == null) {
      throw new IllegalArgumentException("unknown endpoint '" + endpoint + "'");
    }
    return p;
  }

  /** Optional collaborators; the defaults suit production. */
  public static final class Builder {

    private final WebhookSettings settings;
    private final List<WebhookEndpoint> endpoints;
    private final MeterRegistry registry;
    private Clock clock = Clock.systemUTC();
    private AttemptTracer tracer = AttemptTracer.OFF;
    private @Nullable AddressResolverGroup<? extends SocketAddress> dns;
    private @Nullable EndpointSource source;
    private SourcePolicy sourcePolicy = new SourcePolicy(Duration.ofMinutes(10), 1, List.of(), false);

    private Builder(
        WebhookSettings settings, List<WebhookEndpoint> endpoints, MeterRegistry registry) {
      this.settings = Objects.requireNonNull(settings, "settings");
      this.endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The clock for {@code webhook-timestamp} and HTTP-date {@code Retry-After} (default UTC). */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * Spans and {@code traceparent} headers for attempts (default {@link AttemptTracer#OFF}: none).
     */
    public Builder tracer(AttemptTracer value) {
      this.tracer = Objects.requireNonNull(value, "tracer");
      return this;
    }

    /**
     * The DNS resolver whose answers the SSRF guard checks (default: Reactor Netty's asynchronous
     * resolver). Not closed by the deliverer. Tests use one that maps names to chosen addresses.
     */
    public Builder dnsResolver(AddressResolverGroup<? extends SocketAddress> value) {
      this.dns = Objects.requireNonNull(value, "dns");
      return this;
    }

    /**
     * Endpoints beyond the configured ones (managed at runtime): looked up on first delivery,
     * held while in use and evicted when idle, under their own network policy (none of the
     * configured endpoints' exceptions apply to them).
     */
    public Builder endpointSource(EndpointSource value, SourcePolicy policy) {
      this.source = Objects.requireNonNull(value, "source");
      this.sourcePolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public WebhookDeliverer build() {
      checkEndpoints();
      int largest = source == null ? 1 : sourcePolicy.maxInFlight();
      for (WebhookEndpoint e : endpoints) {
        largest = Math.max(largest, e.maxInFlight());
      }
      WebhookMetrics metrics = new WebhookMetrics(registry);
      ConnectionProvider provider =
          ConnectionPools.provider(settings, largest, metrics.poolRegistrar());
      HttpClient base = ConnectionPools.baseClient(provider, settings);
      AddressResolverGroup<? extends SocketAddress> fixedDns = dns;
      Supplier<AddressResolverGroup<? extends SocketAddress>> dnsSupplier =
          fixedDns != null ? () -> fixedDns : () -> defaultDns(base);
      OutcomeClassifier classifier =
          new OutcomeClassifier(clock, settings.maxRetryAfter(), settings.rejectedRetryAfter());
      Map<String, EndpointPipeline> pipelines = new LinkedHashMap<>();
      for (WebhookEndpoint e : endpoints) {
        pipelines.put(e.name(), pipeline(e, base, dnsSupplier, classifier, metrics));
      }
      EndpointSource from = source;
      RuntimePipelines runtime = from == null ? null : runtimePipelines(from, base, dnsSupplier, classifier, metrics);
      return new WebhookDeliverer(Collections.unmodifiableMap(pipelines), runtime, provider, metrics);
    }

    /**
     * Runtime endpoints share one guard (their policy's allow-list) and so one guarded client,
     * whose connection pools are keyed by host: creating and evicting their pipelines creates no
     * resolver or pool of its own, and logs nothing (their refusals are in their outcomes).
     */
    private RuntimePipelines runtimePipelines(EndpointSource from, HttpClient base,
        Supplier<AddressResolverGroup<? extends SocketAddress>> dns, OutcomeClassifier classifier,
        WebhookMetrics metrics) {
      SourcePolicy policy = sourcePolicy;
      List<Cidr> allowed = policy.allowedCidrs();
      SsrfGuard guard = SsrfGuard.of(AddressPolicy.allowing(allowed));
      if (allowed.stream().anyMatch(c -> c.prefixLength() == 0)) {
        log.warn("runtime endpoints: the SSRF guard is off (runtime-endpoints.allowed-networks has a catch-all):"
            + " your users' URLs may reach loopback, private networks and cloud metadata");
      }
      HttpClient guarded = EndpointClient.guarded(base, guard, dns);
      return new RuntimePipelines(from, found -> {
        WebhookEndpoint e = found.endpoint();
        String hostRefusal = guard.refusalForHost(e.host()).orElse(null);
        Outcome refusal = hostRefusal != null ? classifier.classify(SsrfGuard.refused(hostRefusal))
            : !e.isHttps() && !policy.allowHttp()
                ? Outcome.terminal("endpoint url uses http:// and runtime-endpoints.allow-http is false; use https")
                : null;
        EndpointGuards guards =
            EndpointGuards.create(e.name(), settings.breaker(), e.maxInFlight(), e.rateLimit());
        EndpointClient client = EndpointClient.of(guarded, e.url().toASCIIString(), settings.attemptDeadline(),
            settings.maxResponseBytes());
        return new EndpointPipeline(e, found.metricLabel(), WebhookSigner.of(e.signingSecrets()), guards, client,
            classifier, metrics, clock, tracer, refusal);
      }, policy.idle());
    }

    private EndpointPipeline pipeline(
        WebhookEndpoint e,
        HttpClient base,
        Supplier<AddressResolverGroup<? extends SocketAddress>> dns,
        OutcomeClassifier classifier,
        WebhookMetrics metrics) {
      List<Cidr> allowed = new ArrayList<>(settings.allowedCidrs());
      allowed.addAll(e.allowedCidrs());
      SsrfGuard guard = SsrfGuard.of(AddressPolicy.allowing(allowed));
      if (allowed.stream().anyMatch(c -> c.prefixLength() == 0)) {
        log.warn("endpoint {}: the SSRF guard is off (allow-any-network): every address may be reached,"
            + " loopback, private networks and cloud metadata included", e.name());
      }
      String hostRefusal = guard.refusalForHost(e.host()).orElse(null);
      if (hostRefusal != null) {
        log.warn("endpoint {}: every delivery will be refused by the SSRF guard: {}",
            e.name(), hostRefusal);
      }
      EndpointGuards guards =
          EndpointGuards.create(e.name(), settings.breaker(), e.maxInFlight(), e.rateLimit());
      guards.onStateChange(state ->
          log.warn("endpoint {}: circuit breaker is now {}", e.name(), state));
      metrics.bindEndpoint(e.name(), guards);
      EndpointClient client =
          EndpointClient.create(base, guard, dns, e.url().toASCIIString(),
              settings.attemptDeadline(), settings.maxResponseBytes());
      Outcome refusal = hostRefusal == null ? null : classifier.classify(SsrfGuard.refused(hostRefusal));
      return new EndpointPipeline(e, e.name(), WebhookSigner.of(e.signingSecrets()), guards, client,
          classifier, metrics, clock, tracer, refusal);
    }

    private void checkEndpoints() {
      Set<String> names = new java.util.HashSet<>();
      for (WebhookEndpoint e : endpoints) {
        if (!names.add(e.name())) {
          throw new IllegalArgumentException("endpoints[" + e.name() + "].name is given twice");
        }
        if (!e.isHttps() && !e.allowHttp() && !settings.allowHttp()) {
          throw new IllegalArgumentException(
              "endpoints[" + e.name() + "].url uses http://; use https, or set allow-http: true"
                  + " on the endpoint (or webhook.allow-http)");
        }
      }
    }

    private static AddressResolverGroup<? extends SocketAddress> defaultDns(HttpClient base) {
      @SuppressWarnings("unchecked")
      AddressResolverGroup<? extends SocketAddress> group =
          (AddressResolverGroup<? extends SocketAddress>)
              base.configuration().defaultAddressResolverGroup();
      return group;
    }
  }
}
