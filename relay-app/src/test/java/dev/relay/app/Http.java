package dev.relay.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.app.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** A blocking HTTP client for tests (tests may block). */
public final class Http {
  // HTTP/1.1 only: the default (HTTP/2 with an h2c upgrade on the first request) can hang when the
  // server answers an oversized request line with 414 and closes while the upgrade is pending.
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private final String base;
  private final @Nullable String token;

  public Http(String base, @Nullable String token) {
    this.base = base;
    this.token = token;
  }

  public record Response(int status, String body) {
    public JsonNode json() {
      return Json.read(body);
    }
  }

  public Response get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  public Response post(String path, String json) {
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public Response patch(String path, String json) {
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
  }

  public Response delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  /**
   * The same request over a new connection of its own, closed after the answer, written by hand:
   * for request lines over the server's 4 KiB limit. The server answers those with 414 and closes
   * at once; java.net.http, sending on a pooled connection, then sometimes waits until its timeout
   * instead of reading the answer (seen in AdminFuzzIT under load; a raw socket always gets the
   * 414). The body follows only if the server has not answered the head within a second: a body
   * sent after the server answered and closed makes it reset the connection, and the reset can
   * discard the answer before it is read.
   */
  public Response sendAlone(String method, String path, String body) {
    URI uri = URI.create(base);
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    try (var socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      String head = method + " " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nConnection: close\r\n"
          + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
          + "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n\r\n";
      var out = socket.getOutputStream();
      var in = socket.getInputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      int first;
      socket.setSoTimeout(1_000);
      try {
        first = in.read();
      } catch (SocketTimeoutException e) {
        out.write(content);
        out.flush();
        socket.setSoTimeout(10_000);
        first = in.read();
      }
      String answer = (char) first + new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.substring(9, 12));
      int split = answer.indexOf("\r\n\r\n");
      return new Response(status, split < 0 ? "" : answer.substring(split + 4));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Response send(HttpRequest.Builder b) {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> r = CLIENT.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
