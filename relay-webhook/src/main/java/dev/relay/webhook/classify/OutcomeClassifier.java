package dev.relay.webhook.classify;

import dev.relay.engine.spi.Outcome;
import dev.relay.webhook.client.DeadlineExceededException;
import dev.relay.webhook.client.HttpReply;
import dev.relay.webhook.ssrf.SsrfRefusedException;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.PrematureCloseException;

/**
 * The one place where an HTTP reply or an attempt's error becomes an {@link Outcome} (like
 * r2dbc-postgresql's {@code ExceptionFactory}). Reasons are stored on the delivery row and shown
 * to operators: short, starting with what happened, with the status and a sanitised body snippet.
 *
 * <ul>
 *   <li>2xx: delivered.
 *   <li>408, 425, 429, 5xx: retry, honouring {@code Retry-After} (seconds or HTTP-date), capped.
 *   <li>3xx: retry, never followed; the reason names the {@code Location}.
 *   <li>410: terminal and the endpoint is disabled.
 *   <li>other 4xx: terminal.
 *   <li>connection refused/reset/closed, TLS failures, DNS failures, timeouts: retry.
 *   <li>a response that is not valid HTTP (bad status line, headers over 8 KB): retry, one line.
 *   <li>SSRF guard refusal: terminal (the configuration must change).
 *   <li>circuit breaker open, bulkhead full, rate limited: deferred (not an attempt), marked "not sent".
 * </ul>
 */
public final class OutcomeClassifier {

  /** How the reason of an error no rule knows starts; such errors deserve a stack trace in the log. */
  public static final String UNEXPECTED = "unexpected error: ";

  private final Clock clock;
  private final Duration maxRetryAfter;
  private final Duration rejectedRetryAfter;

  public OutcomeClassifier(Clock clock, Duration maxRetryAfter, Duration rejectedRetryAfter) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxRetryAfter = Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
    this.rejectedRetryAfter = Objects.requireNonNull(rejectedRetryAfter, "rejectedRetryAfter");
  }

  /** Classifies a reply that arrived. */
  public Outcome classify(HttpReply reply) {
    int status = reply.status();
    if (status >= 200 && status < 300) {
      return Outcome.delivered(status);
    }
    String reason = statusLine(status) + body(reply);
    if (status >= 300 && status < 400) {
      String location = reply.location() == null ? "none" : Snippet.of(reply.location(), 120);
      return Outcome.retry(
          statusLine(status) + ": redirect not followed (Location: " + location
              + "); point the endpoint URL at the final address",
          status,
          null);
    }
    if (status == 410) {
      return Outcome.endpointGone(reason + " (endpoint disabled)", status);
    }
    if (status == 408 || status == 425 || status == 429 || status >= 500 || status < 200) {
      return Outcome.retry(
          reason, status, RetryAfter.parse(reply.retryAfter(), clock, maxRetryAfter));
    }
    return Outcome.terminal(reason, status);
  }

  /** Classifies an error signalled instead of a reply. */
  public Outcome classify(Throwable error) {
    Throwable ssrf = find(error, SsrfRefusedException.class);
    if (ssrf != null) {
      return Outcome.terminal("refused by SSRF guard: " + ssrf.getMessage());
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      Outcome known = known(t);
      if (known != null) {
        return known;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Outcome.retry(UNEXPECTED + describe(error));
  }

  /**
   * For an attempt a guard refused to send, the metric tag saying which ({@code breaker_open},
   * {@code bulkhead_full}, {@code rate_limited}); null for any other error.
   */
  public @Nullable String rejectionReason(Throwable error) {
    if (error instanceof CallNotPermittedException) {
      return "breaker_open";
    }
    if (error instanceof BulkheadFullException) {
      return "bulkhead_full";
    }
    if (error instanceof RequestNotPermitted) {
      return "rate_limited";
    }
    return null;
  }

  private @Nullable Outcome known(Throwable t) {
    if (t instanceof CallNotPermittedException) {
      return notSent("circuit breaker open (endpoint failing)");
    }
    if (t instanceof BulkheadFullException) {
      return notSent("endpoint at its max-in-flight limit");
    }
    if (t instanceof RequestNotPermitted) {
      return notSent("endpoint rate limit reached");
    }
    if (t instanceof DeadlineExceededException || t instanceof TimeoutException) {
      return Outcome.retry("timed out: " + message(t));
    }
    if (t instanceof ConnectTimeoutException) {
      return Outcome.retry("connect timed out: " + message(t));
    }
    if (t instanceof ConnectException) {
      return Outcome.retry("connection failed: " + message(t));
    }
    if (t instanceof UnknownHostException) {
      return Outcome.retry("DNS lookup failed: " + message(t));
    }
    if (t instanceof SSLException) {
      return Outcome.retry("TLS failure: " + message(t));
    }
    if (t instanceof TooLongFrameException || t instanceof DecoderException || fromHttpDecoder(t)) {
      return Outcome.retry("invalid HTTP response from the receiver: " + message(t));
    }
    if (t instanceof PrematureCloseException || t instanceof ClosedChannelException) {
      return Outcome.retry("connection closed by the receiver before the response completed");
    }
    if (t instanceof IOException) {
      return Outcome.retry("I/O error: " + message(t));
    }
    return null;
  }

  /** Netty's HTTP decoder reports a malformed status line or header as a plain runtime exception. */
  private static boolean fromHttpDecoder(Throwable t) {
    StackTraceElement[] frames = t.getStackTrace();
    for (int i = 0; i < Math.min(frames.length, 12); i++) {
      if (frames[i].getClassName().startsWith("io.netty.handler.codec.http.")) {
        return true;
      }
    }
    return false;
  }

  private Outcome notSent(String why) {
    return Outcome.deferred("not sent: " + why, rejectedRetryAfter);
  }

  private static String statusLine(int status) {
    String phrase = HttpResponseStatus.valueOf(status).reasonPhrase();
    return "HTTP " + status + (phrase.isEmpty() ? "" : " " + phrase);
  }

  private static String body(HttpReply reply) {
    String snippet = Snippet.of(reply.bodyStart());
    return snippet.isEmpty() ? "" : ": " + snippet;
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : Snippet.of(m);
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + Snippet.of(m));
  }

  private static @Nullable Throwable find(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
