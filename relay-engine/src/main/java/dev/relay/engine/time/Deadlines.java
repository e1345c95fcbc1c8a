package dev.relay.engine.time;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Deadlines for work done per delivery or per statement. Each delivery has several (the
 * engine's attempt timeout, the HTTP deadline, the body read, the statement timeouts of its
 * claim and settle), and nearly all of them are cancelled long before they fire. A scheduled
 * executor pays a locked heap insert and a cross-thread wakeup for each; a hashed timer wheel
 * pays an enqueue (measured: timers were about a tenth of the relay's CPU per delivery). The
 * wheel ticks every 5 ms, so a deadline fires up to 5 ms late, which no deadline here minds.
 *
 * <p>{@link #within} uses the forms of Reactor's {@code timeout} that take a timeout publisher and
 * a fallback: the {@code Duration} forms build a description string for every use.
 */
public final class Deadlines {
  private static final HashedWheelTimer WHEEL = new HashedWheelTimer(r -> {
    Thread t = new Thread(r, "relay-deadlines");
    t.setDaemon(true);
    return t;
  }, 5, TimeUnit.MILLISECONDS, 1024);

  private static final Scheduler SCHEDULER = new WheelScheduler();

  private Deadlines() {}

  /**
   * The shared wheel as a Reactor scheduler: it times delays; their work, and immediate work, runs
   * on the parallel scheduler.
   */
  public static Scheduler wheel() {
    return SCHEDULER;
  }

  /**
   * {@code source}, cancelled and failing with {@code onTimeout} if it has not completed within
   * {@code deadline}. (Not {@code takeUntilOther} with an error: it does not cancel its source when
   * the other publisher fails late.)
   */
  public static <T> Mono<T> within(Mono<T> source, Duration deadline, Scheduler clock,
      Supplier<? extends Throwable> onTimeout) {
    return source.timeout(Mono.delay(deadline, clock), Mono.error(onTimeout));
  }

  /** The same for a stream: the deadline covers the whole stream, not each item. */
  public static <T> Flux<T> within(Flux<T> source, Duration deadline, Scheduler clock,
      Supplier<? extends Throwable> onTimeout) {
    return Flux.defer(() -> {
      Sinks.One<Boolean> expiry = Sinks.one();
      Disposable timer = clock.schedule(() -> expiry.tryEmitValue(true), deadline.toNanos(), TimeUnit.NANOSECONDS);
      Mono<Boolean> expired = expiry.asMono();
      return source.timeout(expired, item -> expired, Flux.error(onTimeout)).doFinally(signal -> timer.dispose());
    });
  }

  /** Delays timed by the wheel; all work, delayed or not, runs on the parallel scheduler. */
  private static final class WheelScheduler implements Scheduler {
    @Override
    public Disposable schedule(Runnable task) {
      return Schedulers.parallel().schedule(task);
    }

    /**
     * The wheel's one thread only hands a due task over: what a fired deadline runs (a timeout's
     * error, the retries and claims it starts) runs on the parallel scheduler. Run on the wheel
     * thread, any of it that waited would stop every deadline in the JVM, silently, and BlockHound
     * does not watch that thread.
     */
    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
      Timeout timeout = WHEEL.newTimeout(t -> Schedulers.parallel().schedule(task), delay, unit);
      return new Disposable() {
        @Override
        public void dispose() {
          timeout.cancel();
        }

        @Override
        public boolean isDisposed() {
          return timeout.isCancelled() || timeout.isExpired();
        }
      };
    }

    @Override
    public Worker createWorker() {
      return Schedulers.parallel().createWorker();
    }
  }
}
