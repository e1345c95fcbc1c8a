package dev.relay.engine.loop;

import java.time.Duration;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * One endpoint's rows in this relay: claimed rows waiting for an attempt slot, attempts running
 * (at most {@code limit}, the endpoint's max in flight), and rows not yet settled. Guarded by
 * {@link Lanes}.
 */
final class Lane {
  /** Receivers answering faster than this get rows claimed ahead (prefetch); slower ones do not. */
  static final long FAST_NANOS = Duration.ofMillis(250).toNanos();

  final String endpoint;
  final int limit;
  final ArrayDeque<Claimed> queue = new ArrayDeque<>();
  /** Attempts running now. */
  int active;
  /** Rows claimed and not yet settled: queued, running, or waiting for their settle to land. */
  int unsettled;
  /** The endpoint may have more due rows: claim for it as soon as it has room. */
  boolean wanted;
  /** Where the next walk over this endpoint's ordering keys starts. */
  String keyCursor = "";
  /**
   * Claims in a row that found nothing while the lane stayed awake (see {@link Lanes#LINGER_SPELL}),
   * and when the next may run ({@link System#nanoTime()}).
   */
  int emptyClaims;
  long nextClaimNanos;
  /** Its last claim came back short: the next waits until nextClaimNanos (see {@link Lanes#PACE}). */
  boolean paced;
  /** Claims in a row that found several rows (the pace grows with them). */
  int busyClaims;
  /** When a claim last found rows for the lane (0: never). */
  private long lastRowsNanos;
  /**
   * How far apart the claims that found rows came lately (0: unknown): a moving average, each gap
   * counted at most 4 spells, so that traffic turning dense again shows within a few claims.
   */
  long rowGapNanos;
  private boolean held;
  private long notBeforeNanos;
  private long latencyNanos = -1;

  Lane(String endpoint, int limit) {
    this.endpoint = endpoint;
    this.limit = limit;
  }

  /**
   * Rows worth holding for this endpoint: its slots, plus as many again twice over while its
   * receiver is fast, so the next rows are here when a slot frees instead of a claim round trip
   * later. A slow receiver gets no prefetch: the claim's round trip is small beside its answers,
   * and queued rows would only age against their lease.
   */
  static int target(int limit, long latencyNanos, boolean prefetch) {
    return prefetch && latencyNanos < FAST_NANOS ? 3 * limit : limit;
  }

  /** Free room for the next claim; 0 while the endpoint's receiver asked to wait. */
  int room(long now, boolean prefetch) {
    if (heldBack(now)) {
      return 0;
    }
    return Math.max(0, target(limit, latencyNanos, prefetch) - active - queue.size());
  }

  /**
   * Whether a targeted claim for this lane is worth its round trip now: the lane could take a
   * third of its target, or it is running dry (nothing queued while a slot is free). Waiting for
   * a third makes a busy lane's claims bigger and fewer without ever letting it idle.
   */
  boolean worthClaiming(long now, boolean prefetch) {
    if ((emptyClaims > 0 || paced) && now - nextClaimNanos < 0) {
      return false;
    }
    int room = room(now, prefetch);
    return room > 0 && (room * 3 >= target(limit, latencyNanos, prefetch) || (queue.isEmpty() && active < limit));
  }

  /** A receiver's Retry-After: start nothing before {@code until}. */
  void holdUntil(long until) {
    if (!held || until - notBeforeNanos > 0) {
      notBeforeNanos = until;
    }
    held = true;
  }

  boolean heldBack(long now) {
    if (held && now - notBeforeNanos >= 0) {
      held = false;
    }
    return held;
  }

  long heldFor(long now) {
    return held ? Math.max(0, notBeforeNanos - now) : 0;
  }

  /** An attempt's duration: a moving average (1/8 weight per attempt). */
  void observe(long nanos) {
    latencyNanos = latencyNanos < 0 ? nanos : latencyNanos + (nanos - latencyNanos) / 8;
  }

  /** When a lane's claims last found rows, and its row gap: kept while the lane is gone. */
  record RowGap(long lastRowsNanos, long rowGapNanos) {}

  RowGap rowGap() {
    return new RowGap(lastRowsNanos, rowGapNanos);
  }

  /** Takes what an earlier lane of this endpoint learnt, if any. */
  void remember(@Nullable RowGap earlier) {
    if (earlier != null) {
      lastRowsNanos = earlier.lastRowsNanos();
      rowGapNanos = earlier.rowGapNanos();
    }
  }

  /** A claim found rows for the lane at {@code now}. */
  void rowsFound(long now) {
    if (lastRowsNanos != 0) {
      long gap = Math.min(now - lastRowsNanos, 4 * Lanes.LINGER_SPELL.toNanos());
      rowGapNanos = rowGapNanos == 0 ? gap : (rowGapNanos + gap) / 2;
    }
    lastRowsNanos = now;
  }

  /**
   * The spacing of the lane's claims while it lingers: LINGER_SPACING while its rows come at most
   * half a spell apart (or the gap is unknown), MAX_LINGER_SPACING up to a whole spell, and -1
   * when they come further apart (it sleeps at once).
   */
  long lingerSpacingNanos() {
    long spell = Lanes.LINGER_SPELL.toNanos();
    if (rowGapNanos > spell) {
      return -1;
    }
    return rowGapNanos > spell / 2 ? Lanes.MAX_LINGER_SPACING.toNanos() : Lanes.LINGER_SPACING.toNanos();
  }

  /** Nothing held and nothing known to be due: the lane can go. */
  boolean idle() {
    return unsettled == 0 && !wanted;
  }
}
