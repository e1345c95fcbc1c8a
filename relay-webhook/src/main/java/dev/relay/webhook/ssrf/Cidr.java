package dev.relay.webhook.ssrf;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IPv4 or IPv6 network in CIDR notation, e.g. {@code 127.0.0.0/8} or {@code fd00::/8}. A bare
 * address means a single host ({@code /32} or {@code /128}). Host bits must be zero, so a typo
 * such as {@code 10.1.2.3/8} is an error rather than a silently wider network.
 *
 * @param network the network address (host bits zero)
 * @param prefixLength leading bits that must match, 0..32 for IPv4 and 0..128 for IPv6
 */
public record Cidr(InetAddress network, int prefixLength) {

  public Cidr {
    Objects.requireNonNull(network, "network");
    int bits = network.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException(
          "prefix length must be 0.." + bits + ", was " + prefixLength);
    }
    byte[] bytes = network.getAddress();
    if (!hostBitsZero(bytes, prefixLength)) {
      throw new IllegalArgumentException(
          NetUtil.toAddressString(network) + "/" + prefixLength + " has host bits set");
    }
  }

  /**
   * Parses {@code address[/prefix]}. Only canonical literals are accepted (dotted-quad IPv4,
   * RFC 4291 IPv6); nothing is looked up in DNS.
   *
   * @param key the configuration key, named in the error
   * @throws IllegalArgumentException naming {@code key} if the text is not a CIDR block
   */
  public static Cidr parse(String key, String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(key + " must be a CIDR block such as 10.0.0.0/8");
    }
    String trimmed = text.strip();
    int slash = trimmed.indexOf('/');
    String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
    if (bytes == null) {
      throw new IllegalArgumentException(
          key + " must be a CIDR block such as 10.0.0.0/8 or fd00::/8, was '" + trimmed + "'");
    }
    int prefix = bytes.length * 8;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            key + " has an invalid prefix length in '" + trimmed + "'", null);
      }
    }
    try {
      return new Cidr(InetAddress.getByAddress(bytes), prefix);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(key + " is not an IP address: '" + trimmed + "'", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), null);
    }
  }

  /** Parses a block known to be valid (for built-in tables). */
  static Cidr of(String text) {
    return parse("cidr", text);
  }

  /** Whether {@code address} lies in this network; addresses of the other family never do. */
  public boolean contains(InetAddress address) {
    return contains(address.getAddress());
  }

  boolean contains(byte[] address) {
    byte[] net = network.getAddress();
    if (address.length != net.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != net[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[full] & mask) == (net[full] & mask);
  }

  private static boolean hostBitsZero(byte[] bytes, int prefixLength) {
    for (int bit = prefixLength; bit < bytes.length * 8; bit++) {
      if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return NetUtil.toAddressString(network) + "/" + prefixLength;
  }
}
