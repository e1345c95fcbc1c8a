package dev.relay.webhook.ssrf;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Address ranges a webhook must not reach unless allow-listed: the non-global entries of the IANA
 * IPv4 and IPv6 special-purpose registries, plus multicast, and the IPv6 forms that embed an IPv4
 * address (mapped, translated {@code ::ffff:0:a.b.c.d}, compatible, 6to4, NAT64), which are judged
 * by the address they embed; anything else in the reserved {@code ::/8} is refused. Compared with
 * the IANA IPv4 and IPv6 special-purpose address registries (2025).
 */
final class SpecialRanges {

  private record Range(Cidr cidr, String label) {}

  private static final List<Range> IPV4 =
      List.of(
          range("0.0.0.0/8", "unspecified (this network)"),
          range("10.0.0.0/8", "private"),
          range("100.64.0.0/10", "carrier-grade NAT"),
          range("127.0.0.0/8", "loopback"),
          range("169.254.0.0/16", "link-local (cloud metadata)"),
          range("172.16.0.0/12", "private"),
          range("192.0.0.0/24", "IETF protocol assignments"),
          range("192.0.2.0/24", "documentation"),
          range("192.88.99.0/24", "6to4 relay anycast"),
          range("192.168.0.0/16", "private"),
          range("198.18.0.0/15", "benchmarking"),
          range("198.51.100.0/24", "documentation"),
          range("203.0.113.0/24", "documentation"),
          range("224.0.0.0/4", "multicast"),
          range("255.255.255.255/32", "broadcast"),
          range("240.0.0.0/4", "reserved"));

  /** IANA's reserved 0000::/8, for whatever in it embeds no IPv4 address (checked last). */
  private static final Range RESERVED_V6 = range("::/8", "reserved by the IETF");

  private static final List<Range> IPV6 =
      List.of(
          range("::/128", "unspecified"),
          range("::1/128", "loopback"),
          range("64:ff9b:1::/48", "local-use NAT64"),
          range("100::/64", "discard-only"),
          range("100:0:0:1::/64", "dummy prefix"),
          range("2001::/32", "Teredo tunnel"),
          range("2001:2::/48", "benchmarking"),
          range("2001:10::/28", "ORCHID"),
          range("2001:20::/28", "ORCHIDv2"),
          // The rest of 2001::/23 (IETF protocol assignments): a few anycast services, no webhook receivers.
          range("2001::/23", "IETF protocol assignments"),
          range("2001:db8::/32", "documentation"),
          range("3fff::/20", "documentation"),
          range("5f00::/16", "segment routing (SRv6) SIDs"),
          range("fc00::/7", "unique local (ULA)"),
          range("fe80::/10", "link-local"),
          range("fec0::/10", "site-local"),
          range("ff00::/8", "multicast"));

  private SpecialRanges() {}

  /** Why this address must not be reached, e.g. {@code loopback 127.0.0.0/8}; null if it may. */
  static @Nullable String refusal(byte[] address) {
    if (address.length == 4) {
      return match(IPV4, address);
    }
    String direct = match(IPV6, address);
    if (direct != null) {
      return direct;
    }
    Embedded embedded = Embedded.of(address);
    if (embedded == null) {
      return RESERVED_V6.cidr().contains(address) ? RESERVED_V6.label() + " " + RESERVED_V6.cidr() : null;
    }
    String inner = match(IPV4, embedded.ipv4());
    return inner == null ? null : embedded.form() + " of " + inner;
  }

  private static @Nullable String match(List<Range> ranges, byte[] address) {
    for (Range range : ranges) {
      if (range.cidr().contains(address)) {
        return range.label() + " " + range.cidr();
      }
    }
    return null;
  }

  private static Range range(String cidr, String label) {
    return new Range(Cidr.of(cidr), label);
  }

  /** An IPv4 address carried inside an IPv6 one, and the name of the carrying form. */
  private record Embedded(String form, byte[] ipv4) {

    static @Nullable Embedded of(byte[] v6) {
      if (prefixIs(v6, 10, (byte) 0) && v6[10] == (byte) 0xff && v6[11] == (byte) 0xff) {
        return new Embedded("IPv4-mapped form", slice(v6, 12));
      }
      if (prefixIs(v6, 8, (byte) 0) && v6[8] == (byte) 0xff && v6[9] == (byte) 0xff && v6[10] == 0
          && v6[11] == 0) {
        return new Embedded("IPv4-translated form", slice(v6, 12));
      }
      if (prefixIs(v6, 12, (byte) 0)) {
        return new Embedded("IPv4-compatible form", slice(v6, 12));
      }
      if ((v6[0] & 0xff) == 0x20 && (v6[1] & 0xff) == 0x02) {
        return new Embedded("6to4 form", slice(v6, 2));
      }
      if ((v6[0] & 0xff) == 0x00 && (v6[1] & 0xff) == 0x64 && (v6[2] & 0xff) == 0xff
          && (v6[3] & 0xff) == 0x9b && prefixIsFrom(v6, 4, 12, (byte) 0)) {
        return new Embedded("NAT64 form", slice(v6, 12));
      }
      return null;
    }

    private static boolean prefixIs(byte[] b, int count, byte value) {
      return prefixIsFrom(b, 0, count, value);
    }

    private static boolean prefixIsFrom(byte[] b, int from, int to, byte value) {
      for (int i = from; i < to; i++) {
        if (b[i] != value) {
          return false;
        }
      }
      return true;
    }

    private static byte[] slice(byte[] b, int from) {
      byte[] out = new byte[4];
      System.arraycopy(b, from, out, 0, 4);
      return out;
    }
  }
}
