package dev.relay.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.app.Http;
import dev.relay.app.InProcessRelay;
import dev.relay.app.TestConfigs;
import dev.relay.app.runtime.Relay;
import dev.relay.engine.spi.Outcome;
import dev.relay.engine.testing.PostgresExtension;
import dev.relay.engine.testing.TestDatabase;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

/**
 * Issue 12, item 5: the admin API fuzzed with seeded random requests (reproducible: the seed is in
 * the failure message). No input may answer 500 or show a stack trace; the HTTP layer's own 413,
 * 414 and 431 for oversized requests are client errors too.
 */
@ExtendWith(PostgresExtension.class)
class AdminFuzzIT {
  static final long SEED = Long.getLong("fuzz.seed", 20261202L);
  static final int REQUESTS = Integer.getInteger("fuzz.requests", 600);
  static final List<String> FIELDS = List.of("ids", "endpoint", "event_type", "since", "until", "limit", "all",
      "reason", "payload", "ordering_key", "event_id", "x");
  static final List<String> POSTS = List.of("/admin/dead-letters/replay", "/admin/dead-letters/discard",
      "/admin/publish", "/admin/endpoints/alpha/pause", "/admin/endpoints/alpha/resume",
      "/admin/endpoints/alpha/replay", "/admin/endpoints/%s/pause", "/admin/endpoints/%s/replay");
  static final List<String> GETS = List.of("/admin/dead-letters?limit=%s&since=%s&endpoint=%s",
      "/admin/dead-letters/count?event_type=%s&until=%s&x=%s", "/admin/deliveries?event_id=%s&a=%s&b=%s",
      "/admin/deliveries/%s", "/admin/endpoints/%s");

  @Test
  void noRequestAnswers500OrAStackTrace(TestDatabase db) {
    Relay relay = InProcessRelay.start(db, """
        endpoints:
          - name: alpha
            url: https://alpha.example.com/hook
            secrets: [%s]
        """.formatted(TestConfigs.SECRET), d -> Mono.just(Outcome.terminal("fuzz", 422)));
    try {
      Http admin = new Http(relay.baseUrl(), TestConfigs.TOKEN);
      Random random = new Random(SEED);
      for (int i = 0; i < REQUESTS; i++) {
        boolean post = random.nextInt(3) > 0;
        String path = post ? String.format(pick(random, POSTS), enc(text(random)))
            : String.format(pick(random, GETS), enc(scalar(random)), enc(scalar(random)), enc(text(random)));
        String body = post ? body(random) : "";
        String what = "seed " + SEED + " request " + i + ": " + (post ? "POST " : "GET ") + clip(path) + " " + clip(body);
        Http.Response r;
        try {
          if (path.length() > 4000) {
            r = admin.sendAlone(post ? "POST" : "GET", path, body);
          } else {
            r = post ? admin.post(path, body) : admin.get(path);
          }
        } catch (RuntimeException e) {
          throw new AssertionError(what + " failed: " + e, e);
        }
        assertThat(r.status()).as(what + " -> " + r.body()).isIn(200, 400, 404, 413, 414, 431);
        assertThat(r.body()).as(what).doesNotContain("\tat ").doesNotContain("Exception");
      }
    } finally {
      relay.stop().block(Duration.ofSeconds(30));
    }
  }

  static String body(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> text(r);
      case 1 -> "[" + value(r, 0) + "]";
      default -> {
        StringBuilder b = new StringBuilder("{");
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          b.append(i == 0 ? "" : ",").append(quote(pick(r, FIELDS))).append(':').append(value(r, 0));
        }
        yield b.append('}').toString();
      }
    };
  }

  static String value(Random r, int depth) {
    return switch (depth > 3 ? r.nextInt(6) : r.nextInt(8)) {
      case 0 -> "null";
      case 1 -> Boolean.toString(r.nextBoolean());
      case 2 -> Long.toString(r.nextLong() >> r.nextInt(63));
      case 3 -> Double.toString(r.nextGaussian() * 1e6);
      case 4, 5 -> quote(scalar(r));
      case 6 -> "[" + value(r, depth + 1) + "," + value(r, depth + 1) + "]";
      default -> "{" + quote(text(r)) + ":" + value(r, depth + 1) + "}";
    };
  }

  /** Instants (valid, out of range, malformed), numbers as text, or odd text. */
  static String scalar(Random r) {
    return switch (r.nextInt(5)) {
      case 0 -> "2026-0" + (1 + r.nextInt(9)) + "-1" + r.nextInt(9) + "T00:00:00Z";
      case 1 -> (r.nextBoolean() ? "+" : "-") + (1 + r.nextInt(999_999_999)) + "-01-01T00:00:00Z";
      case 2 -> Integer.toString(r.nextInt());
      default -> text(r);
    };
  }

  /** Random code points: controls, bidi, surrogate halves, NUL, quotes, backslashes, long runs. */
  static String text(Random r) {
    int length = r.nextInt(10) == 0 ? 300 + r.nextInt(3000) : r.nextInt(12);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < length; i++) {
      int kind = r.nextInt(10);
      b.appendCodePoint(switch (kind) {
        case 0 -> r.nextInt(0x20);
        case 1 -> 0x202A + r.nextInt(5);
        case 2 -> "\"\\{}[]%/?&=#".charAt(r.nextInt(12));
        case 3 -> 0x80 + r.nextInt(0x2000);
        case 4 -> 0x1F600 + r.nextInt(50);
        default -> 'a' + r.nextInt(26);
      });
    }
    return b.toString();
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    s.chars().forEach(c -> b.append(c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate((char) c)
        ? String.format("\\u%04x", c) : String.valueOf((char) c)));
    return b.append('"').toString();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static <T> T pick(Random r, List<T> list) {
    return list.get(r.nextInt(list.size()));
  }

  static String clip(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }
}
