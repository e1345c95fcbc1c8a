package dev.relay.loadtest.receiver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * How the receiver answers while a step of its {@link FaultSchedule} is active. Every verified
 * request is first delayed by {@code delay}; then, drawn independently per request, it is left
 * unanswered with probability {@code hangRate} (the sender's timeout fires), has its connection
 * reset (TCP RST) with {@code resetRate}, is answered with one of the {@code errors} statuses with
 * that status's rate (a 3xx carries a {@code Location}, a 429 or 503 a {@code Retry-After}), is
 * answered 200 at once but its body dripped over {@code dripTime} with {@code dripRate}, and is
 * otherwise answered 200 at once. Both kinds of 200 are reported as arrivals.
 */
public record Behaviour(Duration delay, List<ErrorAnswer> errors, double resetRate, double hangRate, double dripRate,
    Duration dripTime) {
  public static final Behaviour OK = new Behaviour(Duration.ZERO, List.of(), 0, 0, 0, Duration.ZERO);

  /** Answer {@code status} to a share {@code rate} of the requests. */
  public record ErrorAnswer(int status, double rate) {
    public ErrorAnswer {
      if (status < 300 || status > 599) {
        throw new IllegalArgumentException("receiver error status must be 300..599, was " + status);
      }
      probability(rate);
    }
  }

  public Behaviour {
    errors = List.copyOf(errors);
    if (delay.isNegative() || dripTime.isNegative()) {
      throw new IllegalArgumentException("receiver delays must not be negative");
    }
    double sum = resetRate + hangRate + dripRate;
    for (double p : new double[] {resetRate, hangRate, dripRate}) {
      probability(p);
    }
    for (ErrorAnswer e : errors) {
      sum += e.rate();
    }
    if (sum > 1 + 1e-9) {
      throw new IllegalArgumentException("receiver fault probabilities add up to more than 1");
    }
  }

  private static void probability(double p) {
    if (p < 0 || p > 1) {
      throw new IllegalArgumentException("receiver fault probabilities must be within 0..1, was " + p);
    }
  }

  public static Behaviour delayed(Duration delay) {
    return OK.withDelay(delay);
  }

  public Behaviour withDelay(Duration newDelay) {
    return new Behaviour(newDelay, errors, resetRate, hangRate, dripRate, dripTime);
  }

  /** Adds an error answer (several statuses can each have their share). */
  public Behaviour withErrors(int status, double rate) {
    List<ErrorAnswer> more = new ArrayList<>(errors);
    more.add(new ErrorAnswer(status, rate));
    return new Behaviour(delay, more, resetRate, hangRate, dripRate, dripTime);
  }

  public Behaviour withResets(double rate) {
    return new Behaviour(delay, errors, rate, hangRate, dripRate, dripTime);
  }

  public Behaviour withHangs(double rate) {
    return new Behaviour(delay, errors, resetRate, rate, dripRate, dripTime);
  }

  /** A share {@code rate} answered 200 at once, with the body's last byte {@code time} later. */
  public Behaviour withDrips(double rate, Duration time) {
    return new Behaviour(delay, errors, resetRate, hangRate, rate, time);
  }

  /** True if a sender may see this request fail although the receiver processed it (a duplicate is then legitimate). */
  public boolean mayCauseDuplicates() {
    return hangRate > 0 || resetRate > 0;
  }

  /** The reaction to one request; {@code status} is the error status for {@link Reaction#ERROR}, else 200. */
  Decision decide(RandomGenerator random) {
    if (errors.isEmpty() && resetRate == 0 && hangRate == 0 && dripRate == 0) {
      return Decision.ANSWER;
    }
    double r = random.nextDouble();
    double edge = hangRate;
    if (r < edge) {
      return new Decision(Reaction.HANG, 0);
    }
    edge += resetRate;
    if (r < edge) {
      return new Decision(Reaction.RESET, 0);
    }
    for (ErrorAnswer e : errors) {
      edge += e.rate();
      if (r < edge) {
        return new Decision(Reaction.ERROR, e.status());
      }
    }
    edge += dripRate;
    return r < edge ? new Decision(Reaction.DRIP, 200) : Decision.ANSWER;
  }

  enum Reaction { ANSWER, DRIP, ERROR, RESET, HANG }

  record Decision(Reaction reaction, int status) {
    static final Decision ANSWER = new Decision(Reaction.ANSWER, 200);
  }
}
