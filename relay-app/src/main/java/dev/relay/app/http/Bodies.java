package dev.relay.app.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

/** Reads request bodies with a size bound (the admin API accepts small JSON documents only). */
public final class Bodies {
  /** Largest admin request body: a publish payload up to the engine's default limit, plus room. */
  public static final int MAX_BYTES = 1024 * 1024;

  private Bodies() {}

  public static Mono<String> read(HttpServerRequest request) {
    String length = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > MAX_BYTES) {
          return Mono.error(new BadRequest("request body over " + MAX_BYTES + " bytes"));
        }
      } catch (NumberFormatException e) {
        return Mono.error(new BadRequest("bad Content-Length"));
      }
    }
    return request.receive()
        .asByteArray()
        .reduce(new ByteArrayOutputStream(), (out, chunk) -> {
          if (out.size() + chunk.length > MAX_BYTES) {
            throw new BadRequest("request body over " + MAX_BYTES + " bytes");
          }
          out.write(chunk, 0, chunk.length);
          return out;
        })
        .map(out -> out.toString(StandardCharsets.UTF_8))
        .defaultIfEmpty("");
  }
}
