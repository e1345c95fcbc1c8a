package dev.relay.webhook.config;

import dev.relay.webhook.signing.SigningSecret;
import dev.relay.webhook.ssrf.Cidr;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One webhook receiver (YAML {@code endpoints[]}). Validated on construction; errors name the key
 * as {@code endpoints[<name>].<key>} and never echo secrets or header values. {@link #toString()}
 * redacts them too.
 *
 * @param name unique endpoint name: lower-case letters, digits, '.', '_', '-' (1..100 chars)
 * @param url where deliveries are POSTed: {@code https}, or {@code http} when allowed here or
 *     globally ({@code webhook.allow-http}); user-info (credentials) in the URL is refused, put
 *     them in {@code headers}
 * @param secrets Standard Webhooks signing secrets, {@code whsec_} + base64 of 24..64 bytes; at
 *     least one. Several while rotating: each signs every request.
 * @param headers extra request headers (default none). Names must be HTTP tokens; values must not
 *     contain CR, LF or other control characters; {@code webhook-*}, {@code Host}, {@code
 *     Content-Length}, {@code Content-Type}, {@code Transfer-Encoding}, {@code Connection} and the
 *     other hop-by-hop headers are reserved
 * @param maxInFlight concurrent attempts to this endpoint, the bulkhead (default 32)
 * @param rateLimit most attempts per period, or null for unlimited (default null)
 * @param allowedNetworks CIDR blocks this endpoint may reach despite the SSRF guard, in addition
 *     to {@code webhook.allowed-networks} (default none)
 * @param allowHttp accept an {@code http://} URL for this endpoint (default false)
 */
public record WebhookEndpoint(
    String name,
    URI url,
    List<String> secrets,
    Map<String, String> headers,
    int maxInFlight,
    @Nullable RateLimit rateLimit,
    List<String> allowedNetworks,
    boolean allowHttp) {

  /** Default concurrent attempts per endpoint, as the engine's {@code endpoint-max-in-flight}. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 32;

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

  public WebhookEndpoint {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "endpoints[].name must be 1-100 lower-case letters, digits, '.', '_' or '-', was '"
              + name + "'");
    }
    String key = "endpoints[" + name + "]";
    checkUrl(key + ".url", Checks.present(key + ".url", url));
    secrets = List.copyOf(Checks.present(key + ".secrets", secrets));
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException(key + ".secrets must list at least one secret");
    }
    for (int i = 0; i < secrets.size(); i++) {
      SigningSecret.parse(key + ".secrets[" + i + "]", secrets.get(i));
    }
    headers = checkHeaders(key + ".headers", Checks.present(key + ".headers", headers));
    Checks.atLeast(key + ".max-in-flight", 1, maxInFlight);
    allowedNetworks = List.copyOf(Checks.present(key + ".allowed-networks", allowedNetworks));
    for (int i = 0; i < allowedNetworks.size(); i++) {
      Cidr.parse(key + ".allowed-networks[" + i + "]", allowedNetworks.get(i));
    }
  }

  /** An endpoint with the defaults for everything but its name, URL and secrets. */
  public static WebhookEndpoint of(String name, URI url, List<String> secrets) {
    return new WebhookEndpoint(
        name, url, secrets, Map.of(), DEFAULT_MAX_IN_FLIGHT, null, List.of(), false);
  }

  /** The URL's host as written ({@code 0x7f.1} stays {@code 0x7f.1}), brackets removed. */
  public String host() {
    return hostOf(url);
  }

  /** The parsed signing secrets. */
  public List<SigningSecret> signingSecrets() {
    List<SigningSecret> out = new ArrayList<>(secrets.size());
    for (int i = 0; i < secrets.size(); i++) {
      out.add(SigningSecret.parse("endpoints[" + name + "].secrets[" + i + "]", secrets.get(i)));
    }
    return out;
  }

  /** The endpoint's own allow-list, parsed. */
  public List<Cidr> allowedCidrs() {
    List<Cidr> out = new ArrayList<>(allowedNetworks.size());
    for (int i = 0; i < allowedNetworks.size(); i++) {
      out.add(Cidr.parse("endpoints[" + name + "].allowed-networks[" + i + "]",
          allowedNetworks.get(i)));
    }
    return out;
  }

  public boolean isHttps() {
    return "https".equalsIgnoreCase(url.getScheme());
  }

  public WebhookEndpoint withHeaders(Map<String, String> value) {
    return new WebhookEndpoint(name, url, secrets, value, maxInFlight, rateLimit, allowedNetworks,
        allowHttp);
  }

  public WebhookEndpoint withMaxInFlight(int value) {
    return new WebhookEndpoint(name, url, secrets, headers, value, rateLimit, allowedNetworks,
        allowHttp);
  }

  public WebhookEndpoint withRateLimit(@Nullable RateLimit value) {
    return new WebhookEndpoint(name, url, secrets, headers, maxInFlight, value, allowedNetworks,
        allowHttp);
  }

  public WebhookEndpoint withAllowedNetworks(List<String> value) {
    return new WebhookEndpoint(name, url, secrets, headers, maxInFlight, rateLimit, value,
        allowHttp);
  }

  public WebhookEndpoint withAllowHttp(boolean value) {
    return new WebhookEndpoint(name, url, secrets, headers, maxInFlight, rateLimit,
        allowedNetworks, value);
  }

  @Override
  public String toString() {
    return "WebhookEndpoint[name=" + name + ", url=" + url + ", secrets=" + secrets.size()
        + " redacted, headers=" + headers.keySet() + ", maxInFlight=" + maxInFlight
        + ", rateLimit=" + rateLimit + ", allowedNetworks=" + allowedNetworks
        + ", allowHttp=" + allowHttp + "]";
  }

  private static void checkUrl(String key, URI url) {
    if (!url.isAbsolute() || url.isOpaque()) {
      throw new IllegalArgumentException(key + " must be an absolute https:// URL, was " + safe(url));
    }
    String scheme = url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new IllegalArgumentException(key + " must use https (or http when allowed), was "
          + scheme + "://");
    }
    String authority = url.getRawAuthority();
    if (url.getRawUserInfo() != null || (authority != null && authority.indexOf('@') >= 0)) {
      throw new IllegalArgumentException(
          key + " must not contain credentials (user-info); put them in headers");
    }
    if (authority == null || hostOf(url).isEmpty()) {
      throw new IllegalArgumentException(key + " has no host: " + safe(url));
    }
    if (url.getRawFragment() != null) {
      throw new IllegalArgumentException(key + " must not have a #fragment: " + safe(url));
    }
  }

  static String hostOf(URI url) {
    String host = url.getHost();
    if (host == null) {
      // Registry-based authority, e.g. 0x7f.1 or 127.1: java.net.URI does not call it a host.
      String authority = url.getRawAuthority();
      if (authority == null) {
        return "";
      }
      int at = authority.lastIndexOf('@');
      host = at >= 0 ? authority.substring(at + 1) : authority;
      int colon = host.lastIndexOf(':');
      if (colon >= 0 && !host.endsWith("]")) {
        host = host.substring(0, colon);
      }
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return host;
  }

  private static String safe(URI url) {
    String authority = url.getRawAuthority();
    return authority != null && authority.indexOf('@') >= 0
        ? url.getScheme() + "://***@" + authority.substring(authority.lastIndexOf('@') + 1)
        : String.valueOf(url);
  }

  private static Map<String, String> checkHeaders(String key, Map<String, String> headers) {
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : headers.entrySet()) {
      String name = e.getKey();
      if (name == null || !Headers.isToken(name)) {
        throw new IllegalArgumentException(
            key + " has an invalid header name (HTTP token characters only, no CR/LF)");
      }
      if (Headers.isReserved(name)) {
        throw new IllegalArgumentException(
            key + "." + name + " is reserved: the relay sets it and it cannot be overridden");
      }
      String value = e.getValue();
      if (value == null || Headers.hasControlCharacter(value)) {
        throw new IllegalArgumentException(
            key + "." + name + " value must be given and contain no CR, LF or control characters");
      }
      for (String seen : copy.keySet()) {
        if (seen.equalsIgnoreCase(name)) {
          throw new IllegalArgumentException(key + "." + name + " is given twice");
        }
      }
      copy.put(name, value);
    }
    return Collections.unmodifiableMap(copy);
  }
}
