package dev.relay.loadtest.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {

  @Test
  void stepsApplyFromTheirOffsetUntilTheNext() {
    FaultSchedule s = FaultSchedule.parse("0s=delay:2ms,30s=error:503:0.2+delay:5ms,60s=ok");

    assertThat(s.at(Duration.ofSeconds(10))).isEqualTo(Behaviour.delayed(Duration.ofMillis(2)));
    assertThat(s.at(Duration.ofSeconds(30))).isEqualTo(Behaviour.delayed(Duration.ofMillis(5)).withErrors(503, 0.2));
    assertThat(s.at(Duration.ofMinutes(5))).isEqualTo(Behaviour.OK);
  }

  @Test
  void beforeTheFirstOffsetTheFirstStepApplies() {
    FaultSchedule s = FaultSchedule.parse("10s=reset:0.5");

    assertThat(s.at(Duration.ZERO)).isEqualTo(Behaviour.OK.withResets(0.5));
  }

  @Test
  void resetsAndHangsMakeDuplicatesLegitimateErrorsAndDelaysDoNot() {
    assertThat(FaultSchedule.parse("0s=error:500:0.5+delay:1s").mayCauseDuplicates()).isFalse();
    assertThat(FaultSchedule.parse("0s=ok,5s=hang:0.01").mayCauseDuplicates()).isTrue();
    assertThat(FaultSchedule.parse("0s=reset:0.1").mayCauseDuplicates()).isTrue();
  }

  @Test
  void delaysOnlyDropsTheFaultsButKeepsTheDelays() {
    FaultSchedule s = FaultSchedule.parse("0s=delay:20ms+error:503:0.5+reset:0.1").delaysOnly();

    assertThat(s.at(Duration.ZERO)).isEqualTo(Behaviour.delayed(Duration.ofMillis(20)));
  }

  @Test
  void malformedStepsAreNamedInTheError() {
    assertThatThrownBy(() -> FaultSchedule.parse("0s=teapot:1")).hasMessageContaining("0s=teapot:1");
    assertThatThrownBy(() -> FaultSchedule.parse("soon=ok")).hasMessageContaining("soon=ok");
    assertThatThrownBy(() -> FaultSchedule.parse("0s=error:503")).hasMessageContaining("malformed item");
    assertThatThrownBy(() -> FaultSchedule.parse("0s=reset:0.8+hang:0.8")).hasMessageContaining("more than 1");
  }

  @Test
  void reactionsFollowTheProbabilities() {
    Behaviour b = Behaviour.OK.withErrors(503, 0.25).withResets(0.25);
    SplittableRandom random = new SplittableRandom(1);
    int errors = 0;
    int resets = 0;
    for (int i = 0; i < 10_000; i++) {
      switch (b.decide(random).reaction()) {
        case ERROR -> errors++;
        case RESET -> resets++;
        default -> { }
      }
    }
    assertThat(errors).isBetween(2_200, 2_800);
    assertThat(resets).isBetween(2_200, 2_800);
  }

  @Test
  void severalStatusesAndDripsEachGetTheirShare() {
    Behaviour b = FaultSchedule.parse("0s=error:500:0.3+error:410:0.1+drip:0.2:2s").at(Duration.ZERO);
    SplittableRandom random = new SplittableRandom(7);
    java.util.Map<String, Integer> seen = new java.util.TreeMap<>();
    for (int i = 0; i < 10_000; i++) {
      Behaviour.Decision d = b.decide(random);
      seen.merge(d.reaction() + " " + d.status(), 1, Integer::sum);
    }
    assertThat(seen.get("ERROR 500")).isBetween(2_700, 3_300);
    assertThat(seen.get("ERROR 410")).isBetween(800, 1_200);
    assertThat(seen.get("DRIP 200")).isBetween(1_800, 2_200);
    assertThat(seen.get("ANSWER 200")).isBetween(3_700, 4_300);
    assertThat(b.dripTime()).isEqualTo(Duration.ofSeconds(2));
  }
}
