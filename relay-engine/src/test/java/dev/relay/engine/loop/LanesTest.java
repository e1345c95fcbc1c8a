package dev.relay.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.engine.config.EngineConfig;
import dev.relay.engine.spi.Delivery;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LanesTest {
  private static final long NOW = 1_000_000_000_000L;
  private static final long LEASE = Duration.ofSeconds(60).toNanos();
  private long nextId = 1;

  private Claimed row(String endpoint, String key) {
    Delivery d = new Delivery(nextId++, endpoint, "evt-" + nextId, "t", "{}", "application/json", key, 1, Instant.EPOCH);
    return new Claimed(d, UUID.randomUUID(), NOW + LEASE, NOW + LEASE);
  }

  private List<Claimed> rows(String endpoint, int n) {
    List<Claimed> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(row(endpoint, null));
    }
    return out;
  }

  /** The next plan that claims rows, after writing whatever marks come first; null if none. */
  private static ClaimPlan claimPlan(Lanes lanes, Set<String> unavailable, long now) {
    for (int i = 0; i < 2; i++) {
      ClaimPlan plan = lanes.plan(unavailable, now);
      if (plan == null) {
        return null;
      }
      if (plan.marks()) {
        lanes.marksWritten(plan);
      }
      if (plan.only() == null || !plan.only().isEmpty()) {
        return plan;
      }
    }
    return null;
  }

  private static List<Claimed> attempts(List<Work> work) {
    return work.stream().filter(w -> w.handBack() == null).map(Work::claimed).toList();
  }

  private static Settlement delivered(Claimed c) {
    return new Settlement(c, Settlement.DELIVERED, 0, 200, null, null, 0, null);
  }

  @Test
  void aClaimCutShortByTheEndpointCapClaimsAgainWhenASlotFrees() {
    Lanes lanes = new Lanes(EngineConfig.builder().endpointMaxInFlight(4).build());
    ClaimPlan first = claimPlan(lanes, Set.of(), NOW);
    assertThat(first.discovery()).isTrue();
    assertThat(first.defaultCap()).as("4 slots and 8 prefetched").isEqualTo(12);
    List<Claimed> claimed = rows("e", 12);
    List<Work> started = lanes.admit(first, claimed, NOW);
    assertThat(attempts(started)).hasSize(4);
    assertThat(claimPlan(lanes, Set.of(), NOW)).as("full lane, nothing to claim").isNull();

    List<Work> next = lanes.finished(claimed.get(0), null, 1_000_000, true, NOW);
    assertThat(attempts(next)).as("the next queued row starts at once").containsExactly(claimed.get(4));
    assertThat(claimPlan(lanes, Set.of(), NOW)).as("one free row is not worth a round trip yet").isNull();
    for (int i = 1; i < 4; i++) {
      lanes.finished(claimed.get(i), null, 1_000_000, true, NOW);
    }
    ClaimPlan refill = claimPlan(lanes, Set.of(), NOW);
    assertThat(refill.discovery()).isFalse();
    assertThat(refill.only()).containsExactly("e");
    assertThat(refill.capOf("e")).as("a third of the target").isEqualTo(4);
  }

  @Test
  void aLaneRunningDryClaimsForAnyFreeRoom() {
    Lanes lanes = new Lanes(EngineConfig.builder().endpointMaxInFlight(4).build());
    ClaimPlan plan = claimPlan(lanes, Set.of(), NOW);
    List<Claimed> claimed = rows("e", 12);
    lanes.admit(plan, claimed, NOW);
    for (int i = 0; i < 8; i++) {
      lanes.finished(claimed.get(i), null, 1_000_000, true, NOW);
    }
    lanes.finished(claimed.get(8), null, 1_000_000, true, NOW);
    ClaimPlan refill = claimPlan(lanes, Set.of(), NOW);
    assertThat(refill.only()).containsExactly("e");
    assertThat(refill.capOf("e")).isEqualTo(9);
  }

  @Test
  void aLaneKeepsClaimingWhileRowsComeAndAnEmptyClaimPutsItToSleep() {
    Lanes lanes = new Lanes(EngineConfig.builder().endpointMaxInFlight(4).build());
    ClaimPlan plan = lanes.plan(Set.of(), NOW);
    List<Claimed> claimed = rows("e", 3);
    lanes.admit(plan, claimed, NOW);
    long paced = NOW + Lanes.PACE.toNanos();
    ClaimPlan awake = lanes.plan(Set.of(), paced);
    assertThat(awake.drainingOn()).as("publishes to e need not notify").containsExactly("e");
    assertThat(awake.only()).as("it found rows: it claims again by itself").containsExactly("e");
    lanes.marksWritten(awake);
    long now = lingerThroughEmptyClaims(lanes, awake, paced);
    ClaimPlan asleep = lanes.plan(Set.of(), now);
    assertThat(asleep.drainingOff()).as("nothing found for a while: publishes notify again").containsExactly("e");
    assertThat(asleep.only()).as("and one more probe after the mark is cleared").containsExactly("e");
    lanes.marksWritten(asleep);
    lanes.admit(asleep, List.of(), now);
    assertThat(lanes.plan(Set.of(), now)).isNull();
    assertThat(lanes.lingerNanos(now)).as("asleep: no timer").isEqualTo(-1);
    lanes.discover();
    assertThat(lanes.plan(Set.of(), now).discovery()).isTrue();
  }

  /**
   * Empty claims of an awake lane, each at the time the lane asks for, until it has lingered its
   * whole time: it stays marked (publishes keep skipping NOTIFY) and claims nothing early.
   * Returns the time of the last one.
   */
  private static long lingerThroughEmptyClaims(Lanes lanes, ClaimPlan first, long start) {
    long now = start;
    lanes.admit(first, List.of(), now);
    long claims = Lanes.LINGER_SPELL.toNanos() / Lanes.LINGER_SPACING.toNanos();
    for (int i = 0; i < claims; i++) {
      Duration spacing = Lanes.LINGER_SPACING;
      assertThat(lanes.lingerNanos(now)).isEqualTo(spacing.toNanos());
      assertThat(lanes.plan(Set.of(), now + spacing.toNanos() - 1)).as("not before its time").isNull();
      now += spacing.toNanos();
      ClaimPlan again = lanes.plan(Set.of(), now);
      assertThat(again.only()).containsExactly("e");
      assertThat(again.drainingOff()).as("still marked while it lingers").isEmpty();
      lanes.admit(again, List.of(), now);
    }
    return now;
  }

  @Test
  void rowsArrivingWhileALaneLingersKeepItAwakeWithoutTouchingItsMark() {
    Lanes lanes = new Lanes(EngineConfig.builder().endpointMaxInFlight(4).build());
    lanes.admit(lanes.plan(Set.of(), NOW), rows("e", 1), NOW);
    long start = NOW + Lanes.PACE.toNanos();
    ClaimPlan awake = lanes.plan(Set.of(), start);
    lanes.marksWritten(awake);
    lanes.admit(awake, List.of(), start);
    long soon = start + lanes.lingerNanos(start);
    ClaimPlan again = lanes.plan(Set.of(), soon);
    assertThat(again.marks()).as("no mark written").isFalse();
    lanes.admit(again, rows("e", 1), soon);
    assertThat(lanes.lingerNanos(soon)).as("found a row: claims again after the pace").isEqualTo(Lanes.PACE.toNanos());
    // Lingering restarts from the shortest spacing.
    long paced = soon + Lanes.PACE.toNanos();
    long next = lingerThroughEmptyClaims(lanes, lanes.plan(Set.of(), paced), paced);
    assertThat(lanes.plan(Set.of(), next).drainingOff()).containsExactly("e");
  }

  /**
   * The linger fits how far apart the lane's rows come: rows further apart than the whole spell
   * (20 a second) put the lane to sleep at its first empty claim, since lingering would not meet
   * the next one and each of its claims costs the relay and the database; rows 12 ms apart get
   * claims 2 ms apart over the same spell; and traffic turning dense again shows within a few
   * claims.
   */
  @Test
  void theLingerFitsHowFarApartTheLanesRowsCome() {
    Lanes lanes = new Lanes(EngineConfig.builder().endpointMaxInFlight(4).build());
    long t = NOW;
    for (int i = 0; i < 3; i++) {
      ClaimPlan wake = claimPlan(lanes, Set.of(), t);
      List<Claimed> row = rows("e", 1);
      lanes.admit(wake, row, t);
      // Delivered and settled at once: the lane, holding nothing, goes when it sleeps.
      lanes.finished(row.get(0), null, 1_000_000, true, t);
      lanes.settled(row.stream().map(LanesTest::delivered).toList());
      long paced = t + lanes.lingerNanos(t);
      lanes.admit(claimPlan(lanes, Set.of(), paced), List.of(), paced);
      ClaimPlan next = lanes.plan(Set.of(), paced);
      if (i > 0) {
        assertThat(lanes.lingerNanos(paced)).as("rows 50 ms apart: no linger").isEqualTo(-1);
        assertThat(next.drainingOff()).as("asleep at once: publishes notify").containsExactly("e");
      }
      if (next != null) {
        lanes.marksWritten(next);
        lanes.admit(next, List.of(), paced);
      }
      assertThat(lanes.plan(Set.of(), paced)).isNull();
      t += Duration.ofMillis(50).toNanos();
      lanes.discover();
    }

    Lanes medium = new Lanes(EngineConfig.builder().endpointMaxInFlight(4).build());
    long m = NOW;
    for (int i = 0; i < 6; i++) {
      ClaimPlan p = claimPlan(medium, Set.of(), m);
      medium.admit(p, rows("m", 1), m);
      m += Duration.ofMillis(12).toNanos();
    }
    long paced = m - Duration.ofMillis(12).toNanos() + medium.lingerNanos(m - Duration.ofMillis(12).toNanos());
    medium.admit(medium.plan(Set.of(), paced), List.of(), paced);
    List<Long> spacings = new ArrayList<>();
    long now = paced;
    while (medium.lingerNanos(now) >= 0) {
      long wait = medium.lingerNanos(now);
      spacings.add(wait / 1_000_000);
      now += wait;
      ClaimPlan again = medium.plan(Set.of(), now);
      if (!again.drainingOff().isEmpty()) {
        break;
      }
      medium.admit(again, List.of(), now);
    }
    assertThat(spacings).as("rows 12 ms apart: claims 2 ms apart over the 16 ms spell").containsExactly(2L, 2L, 2L,
        2L, 2L, 2L, 2L, 2L);

    // Dense again: after a long pause, rows a millisecond apart bring the spacing back within 4 claims.
    Lanes dense = new Lanes(EngineConfig.builder().endpointMaxInFlight(100).build());
    long d = NOW;
    dense.admit(claimPlan(dense, Set.of(), d), rows("d", 1), d);
    d += Duration.ofMinutes(10).toNanos();
    dense.discover();
    for (int i = 0; i < 5; i++) {
      ClaimPlan p = claimPlan(dense, Set.of(), d);
      dense.admit(p, rows("d", 1), d);
      dense.settled(List.of());
      d += Duration.ofMillis(1).toNanos();
    }
    d -= Duration.ofMillis(1).toNanos();
    long afterPace = d + dense.lingerNanos(d);
    dense.admit(dense.plan(Set.of(), afterPace), List.of(), afterPace);
    assertThat(dense.lingerNanos(afterPace)).as("lingers again, 1 ms apart").isEqualTo(Lanes.LINGER_SPACING.toNanos());
  }

  /**
   * Steady traffic: a claim that came back short (the lane caught up with its publishers) claims
   * again only after PACE, longer the longer the lane stays busy, so rows gather for it; one that
   * came back full claims again at once, and so does a keyed lane whose row settled (the next of
   * its key may be due).
   */
  @Test
  void aClaimThatComesBackShortWaitsThePaceAndAFullOneClaimsAtOnce() {
    Lanes lanes = new Lanes(EngineConfig.builder().endpointMaxInFlight(4).build());
    lanes.admit(lanes.plan(Set.of(), NOW), rows("e", 1), NOW);
    lanes.marksWritten(lanes.plan(Set.of(), NOW));
    assertThat(lanes.plan(Set.of(), NOW)).as("short: no claim at once").isNull();
    assertThat(lanes.lingerNanos(NOW)).as("a timer for the pace").isEqualTo(Lanes.PACE.toNanos());
    assertThat(lanes.plan(Set.of(), NOW + Lanes.PACE.toNanos() - 1)).as("not before its time").isNull();
    long paced = NOW + Lanes.PACE.toNanos();
    ClaimPlan next = lanes.plan(Set.of(), paced);
    assertThat(next.only()).containsExactly("e");
    lanes.admit(next, rows("e", next.capOf("e")), paced);
    ClaimPlan full = claimPlan(lanes, Set.of(), paced);
    assertThat(full).as("full: it claims again as soon as it has room").isNull();
    assertThat(lanes.lingerNanos(paced)).as("no timer after a full claim").isEqualTo(-1);

    Lanes busy = new Lanes(EngineConfig.builder().endpointMaxInFlight(100).build());
    long t = NOW;
    busy.admit(busy.plan(Set.of(), t), rows("b", 1), t);
    busy.marksWritten(busy.plan(Set.of(), t));
    List<Long> paces = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      long wait = busy.lingerNanos(t);
      paces.add(wait / 1_000_000);
      t += wait;
      ClaimPlan p = busy.plan(Set.of(), t);
      List<Claimed> got = rows("b", 2);
      busy.admit(p, got, t);
      busy.settled(got.stream().map(LanesTest::delivered).toList());
    }
    assertThat(paces).as("each claim in a row that found several rows waits 1 ms longer, up to 5 ms")
        .containsExactly(1L, 2L, 3L, 4L, 5L, 5L, 5L);
    t += busy.lingerNanos(t);
    List<Claimed> one = rows("b", 1);
    busy.admit(busy.plan(Set.of(), t), one, t);
    busy.settled(one.stream().map(LanesTest::delivered).toList());
    assertThat(busy.lingerNanos(t)).as("one row (one client waiting for each arrival?): the shortest pace")
        .isEqualTo(Lanes.PACE.toNanos());
    t += busy.lingerNanos(t);
    busy.admit(busy.plan(Set.of(), t), List.of(), t);
    t += busy.lingerNanos(t);
    busy.admit(busy.plan(Set.of(), t), rows("b", 1), t);
    assertThat(busy.lingerNanos(t)).as("an empty claim between: the pace starts over").isEqualTo(Lanes.PACE.toNanos());

    Lanes keyed = new Lanes(EngineConfig.builder().endpointMaxInFlight(4).build());
    Claimed first = row("k", "order-1");
    keyed.admit(keyed.plan(Set.of(), NOW), List.of(first), NOW);
    keyed.marksWritten(keyed.plan(Set.of(), NOW));
    assertThat(keyed.plan(Set.of(), NOW)).as("short: paced").isNull();
    keyed.settled(List.of(delivered(first)));
    assertThat(keyed.plan(Set.of(), NOW).only()).as("its key's row settled: at once").containsExactly("k");
  }

  @Test
  void aFullBatchWalksEverythingAgainFromWhereItStopped() {
    Lanes lanes = new Lanes(EngineConfig.builder().claimBatchSize(10).endpointMaxInFlight(2).build());
    ClaimPlan plan = claimPlan(lanes, Set.of(), NOW);
    List<Claimed> claimed = new ArrayList<>();
    for (String e : List.of("a", "b", "c", "d", "e")) {
      claimed.addAll(rows(e, 2));
    }
    lanes.admit(plan, claimed, NOW);
    ClaimPlan again = claimPlan(lanes, Set.of(), NOW);
    assertThat(again.discovery()).isTrue();
    assertThat(again.cursor()).isEqualTo("e");
  }

  @Test
  void maxInFlightBoundsEveryRowHeldIncludingSettling() {
    Lanes lanes = new Lanes(EngineConfig.builder().maxInFlight(10).claimBatchSize(100).build());
    ClaimPlan plan = claimPlan(lanes, Set.of(), NOW);
    assertThat(plan.limit()).isEqualTo(10);
    List<Claimed> claimed = rows("e", 10);
    lanes.admit(plan, claimed, NOW);
    lanes.finished(claimed.get(0), null, 1, true, NOW);
    assertThat(claimPlan(lanes, Set.of(), NOW)).as("finished but not settled still counts").isNull();
    lanes.settled(List.of(delivered(claimed.get(0))));
    assertThat(lanes.held()).isEqualTo(9);
    assertThat(claimPlan(lanes, Set.of(), NOW).limit()).isEqualTo(1);
  }

  @Test
  void slowReceiversGetNoPrefetchAndOverridesAndOpenBreakersAreNamed() {
    EngineConfig config = EngineConfig.builder().endpointMaxInFlight(4).endpointLimits(Map.of("big", 20)).build();
    Lanes lanes = new Lanes(config);
    ClaimPlan plan = claimPlan(lanes, Set.of("broken"), NOW);
    assertThat(plan.capOf("big")).isEqualTo(60);
    assertThat(plan.capOf("broken")).isZero();
    List<Claimed> claimed = rows("slow", 12);
    lanes.admit(plan, claimed, NOW);
    for (int i = 0; i < 4; i++) {
      lanes.finished(claimed.get(i), null, Duration.ofSeconds(2).toNanos(), true, NOW);
    }
    assertThat(claimPlan(lanes, Set.of(), NOW)).as("4 running, 4 queued, target 4: no room").isNull();
    lanes.discover();
    assertThat(claimPlan(lanes, Set.of(), NOW).capOf("slow")).isZero();
  }

  @Test
  void aRowQueuedPastItsStartBudgetIsHandedBackNotAttempted() {
    EngineConfig config = EngineConfig.builder().endpointMaxInFlight(1).build();
    Lanes lanes = new Lanes(config);
    ClaimPlan plan = claimPlan(lanes, Set.of(), NOW);
    List<Claimed> claimed = rows("e", 2);
    lanes.admit(plan, claimed, NOW);
    long late = NOW + LEASE - config.attemptTimeout().toNanos();
    List<Work> next = lanes.finished(claimed.get(0), null, 1, true, late);
    assertThat(next).hasSize(1);
    Settlement handBack = next.get(0).handBack();
    assertThat(handBack).isNotNull();
    assertThat(handBack.refund()).isEqualTo(1);
    assertThat(handBack.delayMillis()).isZero();
  }

  @Test
  void retryAfterHoldsTheLaneAndHandsBackItsQueue() {
    Lanes lanes = new Lanes(EngineConfig.builder().endpointMaxInFlight(2).build());
    ClaimPlan plan = claimPlan(lanes, Set.of(), NOW);
    List<Claimed> claimed = rows("e", 6);
    lanes.admit(plan, claimed, NOW);
    List<Work> next = lanes.finished(claimed.get(0), 5_000L, 1, true, NOW);
    assertThat(next).hasSize(4).allSatisfy(w -> {
      assertThat(w.handBack()).isNotNull();
      assertThat(w.handBack().delayMillis()).isEqualTo(5_000);
    });
    lanes.discover();
    assertThat(claimPlan(lanes, Set.of(), NOW).capOf("e")).isZero();
    ClaimPlan after = claimPlan(lanes, Set.of(), NOW + Duration.ofSeconds(6).toNanos());
    assertThat(after.only()).as("the lane was full when held: claim again once the hold passed").containsExactly("e");
    assertThat(after.capOf("e")).isEqualTo(5);
  }

  @Test
  void aSettledKeyedRowAsksForTheNextOfItsKey() {
    Lanes lanes = new Lanes(EngineConfig.builder().build());
    ClaimPlan plan = claimPlan(lanes, Set.of(), NOW);
    Claimed head = row("e", "customer-1");
    lanes.admit(plan, List.of(head), NOW);
    lanes.finished(head, null, 1, true, NOW);
    // The key's next message waits for the head's settle: claims find nothing, the lane sleeps
    // (after the probe that follows clearing its draining mark).
    for (ClaimPlan p = claimPlan(lanes, Set.of(), NOW); p != null; p = claimPlan(lanes, Set.of(), NOW)) {
      lanes.admit(p, List.of(), NOW);
    }
    lanes.settled(List.of(delivered(head)));
    ClaimPlan next = claimPlan(lanes, Set.of(), NOW);
    assertThat(next.only()).containsExactly("e");
    assertThat(next.keyCursors().get(next.names().indexOf("e"))).isEqualTo("customer-1");
  }

  @Test
  void stoppingHandsBackQueuedRowsAndSaysWhenNothingIsHeld() {
    Lanes lanes = new Lanes(EngineConfig.builder().endpointMaxInFlight(1).build());
    ClaimPlan plan = claimPlan(lanes, Set.of(), NOW);
    List<Claimed> claimed = rows("e", 3);
    lanes.admit(plan, claimed, NOW);
    List<Work> handedBack = lanes.stop(NOW);
    assertThat(handedBack).hasSize(2).allSatisfy(w -> assertThat(w.handBack()).isNotNull());
    assertThat(claimPlan(lanes, Set.of(), NOW)).isNull();
    List<Settlement> all = new ArrayList<>(handedBack.stream().map(Work::handBack).toList());
    assertThat(lanes.settled(all)).isFalse();
    assertThat(lanes.settled(List.of(delivered(claimed.get(0))))).isTrue();
  }

  @Test
  void cursorsContinueAfterTheLastValueTakenInWalkOrder() {
    assertThat(Lanes.nextCursor("", List.of("b", "a", "c"))).isEqualTo("c");
    assertThat(Lanes.nextCursor("m", List.of("x", "z", "b", "c"))).as("wrapped: c came last").isEqualTo("c");
    assertThat(Lanes.nextCursor("m", List.of())).isEqualTo("m");
  }
}
