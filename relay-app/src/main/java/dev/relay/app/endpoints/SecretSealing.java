package dev.relay.app.endpoints;

import dev.relay.engine.endpoint.RuntimeEndpoint;
import dev.relay.engine.endpoint.RuntimeEndpoints;
import dev.relay.engine.logging.EveryFew;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keeps runtime endpoints' secrets sealed under the current key: seals secrets the SQL functions
 * stored in plain text (they cannot seal: the database has no key), and re-seals secrets sealed
 * under an older key (key rotation), and deletes rotated-out secrets past their overlap. Each write is conditional on the endpoint's version, so a
 * concurrent change (a rotation) is never overwritten; the next pass sees it. An endpoint whose
 * secret this relay cannot open (a key it lacks) is skipped and reported, never rewritten.
 */
public final class SecretSealing {
  private static final Logger log = LoggerFactory.getLogger(SecretSealing.class);
  /** Endpoints read per statement. */
  static final int BATCH = 200;
  /** Batches per pass, at most: a pass ends even if writes keep losing to changes. */
  private static final int MAX_BATCHES = 500;

  private final RuntimeEndpoints store;
  private final SecretBox box;
  private final EveryFew warnings = new EveryFew(log, Duration.ofMinutes(1));

  public SecretSealing(RuntimeEndpoints store, SecretBox box) {
    this.store = store;
    this.box = box;
  }

  /** Seals every secret still in plain text; emits how many endpoints changed. */
  public Mono<Long> sealPlain() {
    return pass(after -> store.unsealed(BATCH), false);
  }

  /** Deletes rotated-out secrets whose overlap has ended (no relay signs with them any more). */
  public Mono<Long> dropExpired() {
    return store.dropExpiredSecrets();
  }

  /** Re-seals, under the current key, every secret sealed under another; emits how many endpoints changed. */
  public Mono<Long> resealUnderCurrentKey() {
    return pass(after -> store.sealedWithOtherKeys(box.keyId(), after, BATCH), true)
        .doOnNext(n -> {
          if (n > 0) {
            log.info("Re-sealed the signing secrets of {} runtime endpoints under key {}", n, box.keyId());
          }
        });
  }

  private Mono<Long> pass(java.util.function.Function<String, Flux<RuntimeEndpoint>> batch, boolean paged) {
    return Mono.defer(() -> step(batch, paged, "", 0, 0));
  }

  private Mono<Long> step(java.util.function.Function<String, Flux<RuntimeEndpoint>> batch, boolean paged,
      String after, long changed, int batches) {
    return batch.apply(after).collectList().flatMap(list -> Flux.fromIterable(list)
        .concatMap(this::reseal)
        .filter(Boolean::booleanValue)
        .count()
        .flatMap(n -> {
          long total = changed + n;
          boolean more = list.size() == BATCH && batches + 1 < MAX_BATCHES && (paged || n > 0);
          return more ? step(batch, paged, list.get(list.size() - 1).name(), total, batches + 1) : Mono.just(total);
        }));
  }

  /** Seals what is plain or under an old key; true if it wrote. */
  private Mono<Boolean> reseal(RuntimeEndpoint e) {
    try {
      String current = sealed(e.name(), e.secretPlain(), e.secretSealed());
      boolean previousLive = e.previousLeft() != null && !e.previousLeft().isZero();
      String previous = previousLive ? sealed(e.name(), e.previousPlain(), e.previousSealed()) : null;
      boolean previousExpired = e.previousExpiresAt() != null && !previousLive;
      if (current == null && previous == null && !previousExpired) {
        return Mono.just(false);
      }
      return store.seal(e.name(), e.version(), current, previous);
    } catch (IllegalStateException x) {
      warnings.warn("Cannot re-seal the signing secret of runtime endpoint {}: {}", e.name(), x.getMessage());
      return Mono.just(false);
    }
  }

  /** The secret sealed under the current key if it needs (re)sealing, else null. */
  private @Nullable String sealed(String endpoint, @Nullable String plain, @Nullable String sealed) {
    if (plain != null) {
      return box.seal(endpoint, plain);
    }
    if (sealed != null && !box.isCurrent(sealed)) {
      return box.seal(endpoint, box.open(endpoint, sealed));
    }
    return null;
  }
}
