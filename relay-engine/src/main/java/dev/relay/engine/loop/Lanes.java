package dev.relay.engine.loop;

import dev.relay.engine.config.EngineConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where claimed rows wait for an attempt slot, and what to claim next.
 *
 * <p>Each endpoint with rows in this relay has a {@link Lane}: claimed rows queue there and start
 * when one of the endpoint's attempt slots frees, so claims run ahead of freed capacity without
 * ever sending more at once than the endpoint allows, and a settle never gates the next attempt.
 * Lanes exist only for endpoints with rows held or known to have more due, so this bookkeeping
 * scales with endpoints in flight, not endpoints known. Every row held (claimed, not yet settled)
 * counts against {@code delivery.max-in-flight}.
 *
 * <p>Claims: a discovery claim walks every endpoint with pending rows; it runs after a wakeup
 * (NOTIFY, poll, retry timer, operator) and again at once when it came back full, since more
 * endpoints may wait. Between discoveries, targeted claims serve the lanes that are awake (their
 * last claim found rows, or a keyed row settled and the next of its key may be due) as soon as
 * they have room. An awake lane keeps claiming by itself while rows keep coming; a claim that
 * finds nothing for it puts it to sleep (per-endpoint caps are respected inside the statement,
 * so nothing found means nothing due).
 *
 * <p>Draining marks: the relay tells publishers which endpoints it keeps claiming by itself, so
 * publishes to them skip the NOTIFY and its commit-order lock. An awake lane is marked; a lane
 * that goes to sleep is unmarked and then probed once more, so a publish that raced the unmark
 * is either seen by the probe or saw the mark cleared and notified.
 *
 * <p>Lingering: a lane whose claim finds nothing stays awake (and marked) for a few more claims
 * over {@link #LINGER_SPELL} (16 ms), {@link #LINGER_SPACING} (1 ms) apart, before it sleeps.
 * Under steady traffic the next rows arrive within that time, so the lane neither flips its mark
 * (two writes, each a commit) nor makes every publish NOTIFY again; the rows wait at most one
 * spacing for the next claim, about what a NOTIFY takes to wake the relay. (Growing spacings cost
 * fewer claims but made a row that came late in the spell wait as long as the spell had lasted.)
 * After a quiet spell the lane sleeps as before, and a publish wakes it by NOTIFY. The spell is
 * sized by how far apart the lane's rows came lately ({@link Lane#rowGapNanos}): rows more than
 * half a spell apart get claims {@link #MAX_LINGER_SPACING} (2 ms) apart (closer rows keep the 1 ms
 * spacing, so one client publishing and waiting for each arrival waits no longer), and rows
 * further apart than the spell get none, since lingering would not meet the next one: the
 * lane sleeps at once and the next publish wakes it, as it would after the spell. (Measured: 20
 * events a second made 16 claims each, about a fifth of a core of the relay's CPU, for nothing.)
 *
 * <p>Pacing: a lane whose claim came back short of its room has caught up with its publishers;
 * it claims again after {@link #PACE} rather than at once, and after one more PACE for each
 * further claim in a row that found several rows, up to {@link #MAX_PACE}. Under steady traffic
 * (a few thousand single-event transactions a second) an immediate claim finds the one or two
 * rows committed since, or nothing, so the relay ran a claim statement (a write and a commit when
 * it finds rows) per row or two, on the same cores and WAL as the publishers; paced, the claims
 * are fewer and larger. Sparse traffic (one event at a time) finds one row per claim, or meets an
 * empty claim between its events, and either keeps the pace at PACE: its rows wait at most that,
 * as while the lane lingers (a fixed 2 ms pace made sequential publish-to-arrival 1 ms slower at
 * the median, and growing it on single rows 4 ms slower at the 99th percentile). A claim that
 * came back full, and a keyed lane whose row settled (the next of its key may be due), claim
 * again at once.
 *
 * <p>Thread-safe: every method is one short critical section with no I/O; callers emit the work
 * returned after leaving it. A state change that may allow a claim is always followed by a claim
 * signal from the caller, and the plan reads the state under the same lock, so no wakeup is lost.
 */
final class Lanes {
  /** An attempt starts only if it can end this long before its lease may end. */
  static final Duration START_MARGIN = Duration.ofMillis(500);
  /** Prefetch only when queued rows have at least this long to start before their lease. */
  static final Duration PREFETCH_WINDOW = Duration.ofSeconds(1);
  /** How long an awake lane keeps claiming after a claim found nothing, before it sleeps. */
  static final Duration LINGER_SPELL = Duration.ofMillis(16);
  /** The spacing of those claims while the lane's row gaps are unknown or short. */
  static final Duration LINGER_SPACING = Duration.ofMillis(1);
  /** Their spacing for rows that came more than half a spell apart. */
  static final Duration MAX_LINGER_SPACING = Duration.ofMillis(2);
  /** How long a lane whose claim came back short waits before its next claim, per claim in a row. */
  static final Duration PACE = Duration.ofMillis(1);
  /** The longest pace: a busy lane's rows wait at most this for their claim. */
  static final Duration MAX_PACE = Duration.ofMillis(5);

  private final EngineConfig config;
  private final long startBudgetNanos;
  private final boolean prefetch;
  private final Map<String, Lane> lanes = new HashMap<>();
  /**
   * The row gaps of lanes that went (nothing held, nothing due), for when their endpoint's next
   * rows come: sparse traffic is exactly the kind whose lane goes between its rows. Bounded: cleared
   * past {@link #REMEMBERED} endpoints.
   */
  private final Map<String, Lane.RowGap> gone = new HashMap<>();
  static final int REMEMBERED = 10_000;
  /** Endpoints marked as drained by this relay, as last written to the database. */
  private final Set<String> marked = new HashSet<>();
  /** Endpoints just unmarked: the next claim probes them once more. */
  private final Set<String> probes = new HashSet<>();
  private int held;
  private boolean discover = true;
  private String cursor = "";
  private boolean stopping;

  Lanes(EngineConfig config) {
    this.config = config;
    this.startBudgetNanos = config.attemptTimeout().plus(START_MARGIN).toNanos();
    this.prefetch = config.lease().minus(config.attemptTimeout()).minus(START_MARGIN).compareTo(PREFETCH_WINDOW) >= 0;
  }

  /** Rows claimed and not yet settled. */
  synchronized int held() {
    return held;
  }

  /** Attempts running now, across endpoints. */
  synchronized int running() {
    int n = 0;
    for (Lane lane : lanes.values()) {
      n += lane.active;
    }
    return n;
  }

  /** Something outside may have made rows due (NOTIFY, poll, timer, operator): walk everything next. */
  synchronized void discover() {
    discover = true;
  }

  /** The next claim, or null when there is nothing worth claiming now. */
  synchronized @Nullable ClaimPlan plan(Set<String> unavailable, long now) {
    if (stopping) {
      return null;
    }
    int free = config.maxInFlight() - held;
    if (free <= 0) {
      return null;
    }
    int limit = Math.min(free, config.claimBatchSize());
    List<String> names = new ArrayList<>();
    List<Integer> caps = new ArrayList<>();
    List<String> keyCursors = new ArrayList<>();
    List<String> only = discover ? null : new ArrayList<>();
    List<String> markOn = new ArrayList<>();
    List<String> markOff = new ArrayList<>();
    for (Lane lane : lanes.values()) {
      int cap = unavailable.contains(lane.endpoint) ? 0 : Math.min(limit, lane.room(now, prefetch));
      names.add(lane.endpoint);
      caps.add(cap);
      keyCursors.add(lane.keyCursor);
      if (only != null && cap > 0
          && ((lane.wanted && lane.worthClaiming(now, prefetch)) || probes.contains(lane.endpoint))) {
        only.add(lane.endpoint);
      }
      if (lane.wanted && !marked.contains(lane.endpoint)) {
        markOn.add(lane.endpoint);
      }
    }
    for (String endpoint : marked) {
      Lane lane = lanes.get(endpoint);
      if (lane == null || !lane.wanted) {
        markOff.add(endpoint);
        if (only != null && !only.contains(endpoint) && !unavailable.contains(endpoint)) {
          only.add(endpoint);
        }
      }
    }
    Set<String> named = new HashSet<>(names);
    config.endpointLimits().forEach((endpoint, endpointLimit) -> {
      if (named.add(endpoint)) {
        names.add(endpoint);
        caps.add(unavailable.contains(endpoint) ? 0 : Math.min(limit, Lane.target(endpointLimit, -1, prefetch)));
        keyCursors.add("");
      }
    });
    for (String endpoint : unavailable) {
      if (named.add(endpoint)) {
        names.add(endpoint);
        caps.add(0);
        keyCursors.add("");
      }
    }
    if (only != null && only.isEmpty() && markOn.isEmpty() && markOff.isEmpty()) {
      return null;
    }
    discover = false;
    probes.clear();
    int defaultCap = Math.min(limit, Lane.target(config.endpointMaxInFlight(), -1, prefetch));
    return new ClaimPlan(limit, names, caps, keyCursors, defaultCap, cursor, only, markOn, markOff);
  }

  /**
   * A plan's marks were written: publishes to {@code on} stop notifying, to {@code off} notify
   * again. (A claim in the same plan probes the unmarked endpoints after the write.)
   */
  synchronized void marksWritten(ClaimPlan plan) {
    marked.addAll(plan.drainingOn());
    plan.drainingOff().forEach(marked::remove);
  }

  /** The claim (or its marks) failed: the next one walks everything again. */
  synchronized void claimFailed(ClaimPlan plan) {
    discover = true;
    probes.addAll(plan.drainingOff());
  }

  /**
   * Takes a claim's rows into their lanes and learns from what came back; returns the work to
   * start now.
   */
  synchronized List<Work> admit(ClaimPlan plan, List<Claimed> rows, long now) {
    Map<String, List<Claimed>> byEndpoint = new LinkedHashMap<>();
    for (Claimed c : rows) {
      byEndpoint.computeIfAbsent(c.endpoint(), e -> new ArrayList<>()).add(c);
    }
    boolean cut = rows.size() >= plan.limit();
    byEndpoint.forEach((endpoint, claimed) -> {
      Lane lane = lanes.computeIfAbsent(endpoint, this::newLane);
      lane.queue.addAll(claimed);
      lane.unsettled += claimed.size();
      held += claimed.size();
      List<String> keys = new ArrayList<>();
      for (Claimed c : claimed) {
        String key = c.delivery().orderingKey();
        if (key != null) {
          keys.add(key);
        }
      }
      lane.keyCursor = nextCursor(lane.keyCursor, keys);
    });
    Collection<String> asked = plan.discovery() ? new ArrayList<>(lanes.keySet()) : plan.only();
    for (String endpoint : asked) {
      Lane lane = lanes.get(endpoint);
      int cap = plan.capOf(endpoint);
      if (lane == null || cap <= 0) {
        continue;
      }
      int got = byEndpoint.getOrDefault(endpoint, List.of()).size();
      if (got > 0) {
        lane.rowsFound(now);
        lane.wanted = true;
        lane.emptyClaims = 0;
        lane.paced = !cut && got < cap;
        // One row at a time may be one client publishing, waiting for each arrival: its pace
        // stays at the shortest. More rows than one mean they come faster than the pace.
        lane.busyClaims = got > 1 ? lane.busyClaims + 1 : 1;
        lane.nextClaimNanos = now + Math.min(MAX_PACE.toNanos(), lane.busyClaims * PACE.toNanos());
      } else if (!cut) {
        linger(lane, now);
      }
      tidy(lane);
    }
    if (plan.discovery() && cut) {
      discover = true;
      cursor = nextCursor(plan.cursor(), byEndpoint.keySet());
    }
    List<Work> out = new ArrayList<>();
    for (String endpoint : byEndpoint.keySet()) {
      drain(lanes.get(endpoint), now, out);
    }
    return out;
  }

  /** A claim found nothing for the lane: it claims again a little later, or sleeps (see LINGER_SPELL). */
  private void linger(Lane lane, long now) {
    lane.paced = false;
    lane.busyClaims = 0;
    long spacing = lane.lingerSpacingNanos();
    if (lane.wanted && !stopping && spacing > 0 && (lane.emptyClaims + 1) * spacing <= LINGER_SPELL.toNanos()) {
      lane.nextClaimNanos = now + spacing;
      lane.emptyClaims++;
    } else {
      lane.wanted = false;
      lane.emptyClaims = 0;
    }
  }

  /**
   * How long until the first lingering or paced lane may claim again, or -1 when none waits. The
   * loop asks for a claim then.
   */
  synchronized long lingerNanos(long now) {
    long first = -1;
    for (Lane lane : lanes.values()) {
      if (lane.wanted && (lane.emptyClaims > 0 || lane.paced)) {
        long wait = Math.max(0, lane.nextClaimNanos - now);
        first = first < 0 ? wait : Math.min(first, wait);
      }
    }
    return first;
  }

  /**
   * An attempt ended: its slot frees and the next queued rows start. {@code holdMillis} is the
   * receiver's Retry-After, which holds the endpoint: its queued rows are handed back.
   */
  synchronized List<Work> finished(Claimed claimed, @Nullable Long holdMillis, long attemptNanos, boolean attempted,
      long now) {
    Lane lane = lanes.get(claimed.endpoint());
    List<Work> out = new ArrayList<>();
    if (lane == null) {
      return out;
    }
    lane.active--;
    if (attempted) {
      lane.observe(attemptNanos);
    }
    if (holdMillis != null) {
      lane.holdUntil(now + Duration.ofMillis(holdMillis).toNanos());
    }
    drain(lane, now, out);
    return out;
  }

  /**
   * Settles landed (or were given up): their rows no longer count. A keyed row that ended may
   * have made the next row of its key due, and a row handed back due now is due again: both
   * mark their endpoint wanted. Returns true when stopping and nothing is held any more.
   */
  synchronized boolean settled(List<Settlement> batch) {
    for (Settlement s : batch) {
      held--;
      Lane lane = lanes.get(s.endpoint());
      if (lane == null) {
        continue;
      }
      lane.unsettled--;
      if ((s.claimed().keyed() && s.terminal()) || (s.refund() > 0 && s.delayMillis() == 0)) {
        lane.wanted = !stopping;
        lane.emptyClaims = 0;
        lane.paced = false;
        lane.busyClaims = 0;
      }
      tidy(lane);
    }
    return stopping && held == 0;
  }

  /** Stops starting attempts: every queued row is handed back now. */
  synchronized List<Work> stop(long now) {
    stopping = true;
    List<Work> out = new ArrayList<>();
    for (Lane lane : lanes.values()) {
      drain(lane, now, out);
    }
    return out;
  }

  synchronized boolean stopping() {
    return stopping;
  }

  private void drain(Lane lane, long now, List<Work> out) {
    while (!lane.queue.isEmpty()) {
      if (stopping) {
        out.add(Work.handBack(Settlements.handBack(lane.queue.poll(), Duration.ZERO)));
      } else if (lane.heldBack(now)) {
        out.add(Work.handBack(Settlements.handBack(lane.queue.poll(), Duration.ofNanos(lane.heldFor(now)))));
      } else if (lane.active >= lane.limit) {
        return;
      } else {
        Claimed c = lane.queue.poll();
        if (c.leaseDeadlineNanos() - now < startBudgetNanos) {
          // Queued too long to finish an attempt inside its lease: another claim must take it.
          out.add(Work.handBack(Settlements.handBack(c, Duration.ZERO)));
        } else {
          lane.active++;
          out.add(Work.attempt(c));
        }
      }
    }
  }

  private Lane newLane(String endpoint) {
    Lane lane = new Lane(endpoint, config.endpointLimit(endpoint));
    lane.remember(gone.remove(endpoint));
    return lane;
  }

  private void tidy(Lane lane) {
    if (lane.idle() && lane.queue.isEmpty() && lane.active == 0 && !marked.contains(lane.endpoint)) {
      lanes.remove(lane.endpoint);
      if (gone.size() >= REMEMBERED) {
        gone.clear();
      }
      if (lane.rowGap().lastRowsNanos() != 0) {
        gone.put(lane.endpoint, lane.rowGap());
      }
    }
  }

  /**
   * Where the next walk starts so that walks take turns: after the last value this claim took in
   * walk order. The walk went from {@code previous} upwards and wrapped to the start, so values
   * at or below it came last.
   */
  static String nextCursor(String previous, Collection<String> taken) {
    String wrapped = null;
    String ahead = null;
    for (String v : taken) {
      if (v.compareTo(previous) <= 0) {
        wrapped = wrapped == null || v.compareTo(wrapped) > 0 ? v : wrapped;
      } else {
        ahead = ahead == null || v.compareTo(ahead) > 0 ? v : ahead;
      }
    }
    return wrapped != null ? wrapped : ahead != null ? ahead : previous;
  }
}
