package dev.relay.loadtest.receiver;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How the receiver answers while a step of its {@link FaultSchedule} is active. Every verified
 * request is first delayed by {@code delay}; then, drawn independently per request, it is left
 * unanswered with probability {@code hangRate} (the sender's timeout fires), has its connection
 * reset (TCP RST) with {@code resetRate}, is answered {@code errorStatus} with {@code errorRate},
 * and is otherwise answered 200 and reported as an arrival.
 */
public record Behaviour(Duration delay, int errorStatus, double errorRate, double resetRate, double hangRate) {
  public static final Behaviour OK = new Behaviour(Duration.ZERO, 503, 0, 0, 0);

  public Behaviour {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("receiver delay must not be negative");
    }
    if (errorStatus < 300 || errorStatus > 599) {
      throw new IllegalArgumentException("receiver error status must be 300..599, was " + errorStatus);
    }
    for (double p : new double[] {errorRate, resetRate, hangRate}) {
      if (p < 0 || p > 1) {
        throw new IllegalArgumentException("receiver fault probabilities must be within 0..1, was " + p);
      }
    }
    if (errorRate + resetRate + hangRate > 1) {
      throw new IllegalArgumentException("receiver fault probabilities add up to more than 1");
    }
  }

  public static Behaviour delayed(Duration delay) {
    return OK.withDelay(delay);
  }

  public Behaviour withDelay(Duration newDelay) {
    return new Behaviour(newDelay, errorStatus, errorRate, resetRate, hangRate);
  }

  public Behaviour withErrors(int status, double rate) {
    return new Behaviour(delay, status, rate, resetRate, hangRate);
  }

  public Behaviour withResets(double rate) {
    return new Behaviour(delay, errorStatus, errorRate, rate, hangRate);
  }

  public Behaviour withHangs(double rate) {
    return new Behaviour(delay, errorStatus, errorRate, resetRate, rate);
  }

  /** True if a sender may see this request fail although the receiver processed it (a duplicate is then legitimate). */
  public boolean mayCauseDuplicates() {
    return hangRate > 0 || resetRate > 0;
  }

  Reaction decide(RandomGenerator random) {
    if (errorRate == 0 && resetRate == 0 && hangRate == 0) {
      return Reaction.ANSWER;
    }
    double r = random.nextDouble();
    if (r < hangRate) {
      return Reaction.HANG;
    }
    if (r < hangRate + resetRate) {
      return Reaction.RESET;
    }
    return r < hangRate + resetRate + errorRate ? Reaction.ERROR : Reaction.ANSWER;
  }

  enum Reaction { ANSWER, ERROR, RESET, HANG }
}
