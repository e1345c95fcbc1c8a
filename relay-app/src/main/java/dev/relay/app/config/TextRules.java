package dev.relay.app.config;

import dev.relay.webhook.config.RateLimit;
import dev.relay.webhook.signing.SigningSecret;
import dev.relay.webhook.ssrf.Cidr;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The {@link Checked.TextRule}s of relay.yaml. None quotes the value it judges. */
final class TextRules {
  private TextRules() {}

  /** Standard Webhooks secret: {@code whsec_} + base64 of 24..64 bytes. */
  static final class SigningSecretText implements Checked.TextRule {
    @Override
    public @Nullable String problem(String value) {
      if (!value.startsWith(SigningSecret.PREFIX)) {
        return "must start with whsec_ followed by base64 (value not shown); generate one with: "
            + "openssl rand -base64 32 | sed 's/^/whsec_/'";
      }
      try {
        SigningSecret.parse("", value);
        return null;
      } catch (IllegalArgumentException e) {
        return String.valueOf(e.getMessage()).strip() + " (value not shown)";
      }
    }
  }

  /** An IP network such as {@code 10.0.0.0/8}; the catch-all networks need {@code allow-any-network}. */
  static final class Network implements Checked.TextRule {
    @Override
    public @Nullable String problem(String value) {
      Cidr cidr;
      try {
        cidr = Cidr.parse("", value);
      } catch (IllegalArgumentException e) {
        return "must be an IP network in CIDR form such as 127.0.0.0/8 or fd00::/8";
      }
      return cidr.prefixLength() == 0
          ? "allows every address, which turns the SSRF guard off; if that is meant, remove it and set "
              + "allow-any-network: true instead"
          : null;
    }
  }

  /** An absolute http(s) URL with a host, no user-info and no fragment. */
  static final class WebhookUrl implements Checked.TextRule {
    @Override
    public @Nullable String problem(String value) {
      URI uri;
      try {
        uri = new URI(value.strip());
      } catch (URISyntaxException e) {
        return "is not a valid URL (" + e.getReason() + ")";
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !scheme.equals("http")) {
        return "must be an absolute https:// URL (or http:// with allow-http: true)";
      }
      String authority = uri.getRawAuthority();
      if (uri.getRawUserInfo() != null || (authority != null && authority.indexOf('@') >= 0)) {
        return "must not contain credentials (user-info); send them in headers, e.g. Authorization";
      }
      if (uri.getHost() == null || uri.getHost().isBlank()) {
        return "has no host";
      }
      return uri.getRawFragment() != null ? "must not contain a #fragment" : null;
    }
  }

  /** An HTTP token the relay does not set itself. */
  static final class HeaderName implements Checked.TextRule {
    private static final Set<String> RESERVED = Set.of("host", "content-length", "content-type",
        "transfer-encoding", "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "expect",
        "user-agent");

    @Override
    public @Nullable String problem(String value) {
      if (!value.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}")) {
        return "is not a valid HTTP header name";
      }
      String lower = value.toLowerCase(Locale.ROOT);
      return RESERVED.contains(lower) || lower.startsWith("webhook-")
          ? "is set by the relay and cannot be configured" : null;
    }
  }

  /** Printable text without line breaks or other control characters. */
  static final class HeaderValue implements Checked.TextRule {
    @Override
    public @Nullable String problem(String value) {
      return value.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)
          ? "must not contain line breaks or other control characters (value not shown)" : null;
    }
  }

  /** {@code 50/s}, {@code 600/m}, {@code 5/500ms}. */
  static final class RateLimitText implements Checked.TextRule {
    @Override
    public @Nullable String problem(String value) {
      try {
        RateLimit.parse("", value);
        return null;
      } catch (IllegalArgumentException e) {
        return "must look like 50/s, 1000/m, 10/h or 5/500ms";
      }
    }
  }

  /** A file the relay can read now (certificates and keys). */
  static final class ReadableFile implements Checked.TextRule {
    @Override
    public @Nullable String problem(String value) {
      try {
        Path path = Path.of(value);
        return Files.isRegularFile(path) && Files.isReadable(path) ? null : "is not a readable file";
      } catch (InvalidPathException e) {
        return "is not a file path";
      }
    }
  }

  /** One line of visible text: no control, format (bidi) or other invisible characters. */
  static final class VisibleText implements Checked.TextRule {
    @Override
    public @Nullable String problem(String value) {
      return value.codePoints().anyMatch(c -> c != ' ' && Secrecy.invisible(c))
          ? "must not contain control or invisible characters" : null;
    }
  }
}
