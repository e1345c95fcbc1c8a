package dev.relay.app.config;

import dev.relay.webhook.config.RateLimit;
import dev.relay.webhook.config.WebhookEndpoint;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Reads and checks {@code endpoints[i]}; every message names the indexed key path. */
final class EndpointReader {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  /** Dot-separated segments; {@code *} matches any run of characters (the engine's LIKE semantics). */
  private static final Pattern EVENT_PATTERN = Pattern.compile("[A-Za-z0-9_:*/-]+(\\.[A-Za-z0-9_:*/-]+)*");
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Set<String> RESERVED_HEADERS =
      Set.of("webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "content-length",
          "host", "transfer-encoding", "connection", "user-agent");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private EndpointReader() {}

  static List<EndpointConfig> read(List<Section> sections, Problems problems) {
    List<EndpointConfig> out = new ArrayList<>();
    Map<String, String> firstPathByName = new HashMap<>();
    for (Section s : sections) {
      EndpointConfig e = read(s, problems);
      if (e == null) {
        continue;
      }
      String previous = firstPathByName.putIfAbsent(e.name(), s.path());
      if (previous != null) {
        problems.add(s.key("name"), "duplicate endpoint name '" + e.name() + "' (also " + previous + ".name)");
      } else {
        out.add(e);
      }
    }
    return out;
  }

  private static @Nullable EndpointConfig read(Section s, Problems problems) {
    String name = s.required("name");
    if (name != null && !NAME.matcher(name).matches()) {
      problems.add(s.key("name"), "must be 1-63 lower-case letters, digits, '.', '_' or '-' starting with a letter or digit, was '" + name + "'");
      name = null;
    }
    boolean allowHttp = s.bool("allow-http", false);
    URI url = url(s, allowHttp, problems);
    List<String> secrets = secrets(s, problems);
    List<String> eventTypes = s.strings("event-types");
    for (int i = 0; i < eventTypes.size(); i++) {
      if (!EVENT_PATTERN.matcher(eventTypes.get(i)).matches()) {
        problems.add(s.key("event-types") + "[" + i + "]",
            "must be an event type or a pattern such as invoice.* or *, was '" + eventTypes.get(i) + "'");
      }
    }
    Map<String, String> headers = headers(s, problems);
    Integer maxInFlight = s.optionalInteger("max-in-flight");
    if (maxInFlight != null && maxInFlight < 1) {
      problems.add(s.key("max-in-flight"), "must be >= 1, was " + maxInFlight);
    }
    RateLimit rateLimit = s.convert("rate-limit", null, EndpointReader::rateLimit);
    List<String> networks = networks(s, "allowed-networks", problems);
    boolean paused = s.bool("paused", false);
    s.rejectUnknownKeys();
    if (name == null || url == null || secrets.isEmpty() || problems.hasUnder(s.path())) {
      return null;
    }
    String n = name;
    EndpointConfig endpoint = ConfigLoader.build(problems, () -> new EndpointConfig(n, url, secrets, eventTypes,
        headers, maxInFlight, rateLimit, networks, allowHttp, paused));
    // relay-webhook's own checks (URL, secrets, headers, networks) must agree; report any it adds.
    WebhookEndpoint checked = endpoint == null ? null
        : ConfigLoader.build(problems, () -> endpoint.toWebhookEndpoint(WebhookEndpoint.DEFAULT_MAX_IN_FLIGHT));
    return checked == null ? null : endpoint;
  }

  private static RateLimit rateLimit(String text) {
    try {
      return RateLimit.parse("", text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(String.valueOf(e.getMessage()).replaceFirst("^[:\\s]+", ""), e);
    }
  }

  private static @Nullable URI url(Section s, boolean allowHttp, Problems problems) {
    String text = s.required("url");
    if (text == null) {
      return null;
    }
    String key = s.key("url");
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      problems.add(key, "is not a valid URL: " + e.getReason());
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      problems.add(key, "must be an absolute https:// URL (or http:// with allow-http: true)");
      return null;
    }
    if (uri.getRawUserInfo() != null) {
      problems.add(key, "must not contain credentials (user-info); send them in headers, e.g. Authorization");
      return null;
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      problems.add(key, "has no host");
      return null;
    }
    if (uri.getRawFragment() != null) {
      problems.add(key, "must not contain a #fragment");
      return null;
    }
    if (scheme.equals("http") && !allowHttp) {
      problems.add(key, "is plain http; use https or set " + s.key("allow-http") + ": true");
      return null;
    }
    return uri;
  }

  private static List<String> secrets(Section s, Problems problems) {
    List<String> secrets = s.strings("secrets");
    if (secrets.isEmpty() && !problems.hasUnder(s.key("secrets"))) {
      problems.add(s.key("secrets"), "is required: at least one whsec_ signing secret");
      return List.of();
    }
    boolean ok = true;
    for (int i = 0; i < secrets.size(); i++) {
      String problem = secretProblem(secrets.get(i));
      if (problem != null) {
        problems.add(s.key("secrets") + "[" + i + "]", problem + " (value not shown)");
        ok = false;
      }
    }
    return ok ? secrets : List.of();
  }

  /** Standard Webhooks secrets: {@code whsec_} + base64 of 24..64 random bytes. */
  static @Nullable String secretProblem(String secret) {
    if (!secret.startsWith("whsec_")) {
      return "must start with whsec_ followed by base64 (generate one with: relay secret)";
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    } catch (IllegalArgumentException e) {
      return "is not valid base64 after whsec_";
    }
    if (key.length < 24 || key.length > 64) {
      return "must decode to 24-64 bytes, decodes to " + key.length;
    }
    return null;
  }

  private static Map<String, String> headers(Section s, Problems problems) {
    Map<String, String> headers = new LinkedHashMap<>();
    s.stringMap("headers").forEach((name, value) -> {
      String key = s.key("headers") + "." + name;
      if (!HEADER_NAME.matcher(name).matches()) {
        problems.add(key, "is not a valid HTTP header name");
      } else if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        problems.add(key, "is set by the relay and cannot be configured");
      } else if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
        problems.add(key, "must not contain line breaks");
      } else {
        headers.put(name, value);
      }
    });
    return headers;
  }

  static List<String> networks(Section s, String k, Problems problems) {
    List<String> networks = s.strings(k);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < networks.size(); i++) {
      String cidr = networks.get(i).trim();
      String problem = cidrProblem(cidr);
      if (problem != null) {
        problems.add(s.key(k) + "[" + i + "]", problem);
      } else {
        out.add(cidr);
      }
    }
    return out;
  }

  /** An IP literal with an optional prefix length: {@code 127.0.0.0/8}, {@code ::1/128}, {@code 10.1.2.3}. */
  static @Nullable String cidrProblem(String cidr) {
    String message = "must be an IP network in CIDR form such as 127.0.0.0/8 or fd00::/8, was '" + cidr + "'";
    int slash = cidr.indexOf('/');
    String address = slash < 0 ? cidr : cidr.substring(0, slash);
    boolean v4 = IPV4.matcher(address).matches();
    if (!v4 && !IPV6.matcher(address).matches()) {
      return message;
    }
    InetAddress parsed;
    try {
      parsed = InetAddress.getByName(address); // a literal: no DNS lookup
    } catch (UnknownHostException e) {
      return message;
    }
    if (v4) {
      for (String octet : address.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return message;
        }
      }
    }
    if (slash >= 0) {
      int bits = parsed.getAddress().length * 8;
      try {
        int prefix = Integer.parseInt(cidr.substring(slash + 1));
        if (prefix < 0 || prefix > bits) {
          return "prefix length must be within 0.." + bits + ", was '" + cidr + "'";
        }
      } catch (NumberFormatException e) {
        return message;
      }
    }
    return null;
  }
}
