package dev.relay.app.endpoints;

import dev.relay.engine.endpoint.RuntimeEndpoint;
import dev.relay.engine.endpoint.RuntimeEndpoints;
import dev.relay.engine.endpoint.RuntimeEndpoints.Sealed;
import dev.relay.engine.logging.EveryFew;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keeps runtime endpoints' secrets sealed under the current key: seals secrets the SQL functions
 * stored in plain text (they cannot seal: the database has no key), re-seals secrets sealed under
 * an older key (key rotation), and deletes rotated-out secrets past their overlap. A batch of
 * endpoints is read, sealed in memory and written back in one statement; each write is
 * conditional on the endpoint's version, so a concurrent change (a rotation) is never
 * overwritten: the next pass sees it. An endpoint whose secret this relay cannot open (a key it
 * lacks) is skipped and reported, never rewritten.
 */
public final class SecretSealing {
  private static final Logger log = LoggerFactory.getLogger(SecretSealing.class);
  /** Endpoints read and written per statement. */
  static final int BATCH = 500;
  /** Batches per pass, at most (a pass over 100,000 endpoints takes 200). */
  private static final int MAX_BATCHES = 1000;

  private final RuntimeEndpoints store;
  private final SecretBox box;
  private final EveryFew warnings = new EveryFew(log, Duration.ofMinutes(1));

  public SecretSealing(RuntimeEndpoints store, SecretBox box) {
    this.store = store;
    this.box = box;
  }

  /** Seals every secret still in plain text; emits how many endpoints changed. */
  public Mono<Long> sealPlain() {
    return pass(after -> store.unsealed(after, BATCH));
  }

  /** Seals the secrets of one endpoint (just created or rotated), best effort. */
  public Mono<Boolean> sealOne(String name) {
    return store.find(name)
        .flatMap(e -> {
          Sealed s = sealed(e);
          return s == null ? Mono.just(0L) : store.seal(List.of(s));
        })
        .map(n -> n > 0)
        .defaultIfEmpty(false)
        .onErrorResume(e -> {
          warnings.warn("Could not seal the signing secret of runtime endpoint {} now ({}); the next pass will",
              name, e.toString());
          return Mono.just(false);
        });
  }

  /** Deletes rotated-out secrets whose overlap has ended (no relay signs with them any more). */
  public Mono<Long> dropExpired() {
    return store.dropExpiredSecrets();
  }

  /** Re-seals, under the current key, every secret sealed under another; emits how many endpoints changed. */
  public Mono<Long> resealUnderCurrentKey() {
    return pass(after -> store.sealedWithOtherKeys(box.keyId(), after, BATCH))
        .doOnNext(n -> {
          if (n > 0) {
            log.info("Re-sealed the signing secrets of {} runtime endpoints under key {}", n, box.keyId());
          }
        });
  }

  private Mono<Long> pass(Function<String, Flux<RuntimeEndpoint>> batch) {
    return Mono.defer(() -> step(batch, "", 0, 0));
  }

  /** One batch after {@code after} by name, then the next, until a batch comes back short. */
  private Mono<Long> step(Function<String, Flux<RuntimeEndpoint>> batch, String after, long changed, int batches) {
    return batch.apply(after).collectList().flatMap(list -> {
      List<Sealed> sealed = new ArrayList<>(list.size());
      for (RuntimeEndpoint e : list) {
        Sealed s = sealed(e);
        if (s != null) {
          sealed.add(s);
        }
      }
      return store.seal(sealed).flatMap(n -> {
        long total = changed + n;
        boolean more = list.size() == BATCH && batches + 1 < MAX_BATCHES;
        return more ? step(batch, list.get(list.size() - 1).name(), total, batches + 1) : Mono.just(total);
      });
    });
  }

  /** What to write for an endpoint whose secrets are plain, under an old key or expired; null if nothing. */
  private @Nullable Sealed sealed(RuntimeEndpoint e) {
    try {
      String current = sealed(e.name(), e.secretPlain(), e.secretSealed());
      boolean previousLive = e.previousLeft() != null && !e.previousLeft().isZero();
      String previous = previousLive ? sealed(e.name(), e.previousPlain(), e.previousSealed()) : null;
      boolean previousExpired = e.previousExpiresAt() != null && !previousLive;
      return current == null && previous == null && !previousExpired ? null
          : new Sealed(e.name(), e.version(), current, previous);
    } catch (IllegalStateException x) {
      warnings.warn("Cannot seal the signing secret of runtime endpoint {}: {}", e.name(), x.getMessage());
      return null;
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
