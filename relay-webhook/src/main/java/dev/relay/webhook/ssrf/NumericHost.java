package dev.relay.webhook.ssrf;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Recognises hosts that are addresses rather than names, in every spelling a resolver might
 * accept: IPv6 literals (bracketed or not) and the BSD {@code inet_aton} IPv4 forms, i.e. one to
 * four parts, each decimal, octal ({@code 0177}) or hex ({@code 0x7f}): {@code 2130706433},
 * {@code 0x7f.1}, {@code 0177.0.0.1} and {@code 127.1} are all 127.0.0.1. Such hosts never go to
 * DNS: the guard converts them itself, so the address it checks is the address connected to.
 */
final class NumericHost {

  private NumericHost() {}

  /**
   * The address a numeric host stands for, or empty for a name.
   *
   * @throws SsrfRefusedException if the host looks numeric but is not a valid address (e.g.
   *     {@code 1.2.3.256}): it is ambiguous across resolvers, so it is refused
   */
  static Optional<InetAddress> parse(String host) {
    String h = host;
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.indexOf(':') >= 0) {
      byte[] v6 = NetUtil.createByteArrayFromIpAddressString(h);
      if (v6 == null) {
        throw new SsrfRefusedException("host '" + Reasons.clip(host) + "' is not a valid IPv6 address");
      }
      return Optional.of(toAddress(v6));
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length == 0 || !numericLike(parts[parts.length - 1])) {
      return Optional.empty();
    }
    byte[] v4 = ipv4(parts);
    if (v4 == null) {
      throw new SsrfRefusedException(
          "host '" + Reasons.clip(host) + "' looks numeric but is not a valid IPv4 address");
    }
    return Optional.of(toAddress(v4));
  }

  private static byte @org.jspecify.annotations.Nullable [] ipv4(String[] parts) {
    if (parts.length > 4) {
      return null;
    }
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      long v = part(parts[i]);
      if (v < 0) {
        return null;
      }
      values[i] = v;
    }
    // All but the last part are single bytes; the last fills the remaining bytes.
    int lastBytes = 5 - parts.length;
    long address = 0;
    for (int i = 0; i < parts.length - 1; i++) {
      if (values[i] > 0xff) {
        return null;
      }
      address = (address << 8) | values[i];
    }
    long last = values[parts.length - 1];
    if (last >= (1L << (8 * lastBytes))) {
      return null;
    }
    address = (address << (8 * lastBytes)) | last;
    return new byte[] {
      (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address
    };
  }

  /** The value of one part, or -1 if it is not a number in its base (or too large). */
  private static long part(String s) {
    if (!numericLike(s)) {
      return -1;
    }
    int radix = 10;
    String digits = s;
    if (s.length() > 1 && (s.startsWith("0x") || s.startsWith("0X"))) {
      radix = 16;
      digits = s.substring(2);
      if (digits.isEmpty()) {
        return 0;
      }
    } else if (s.length() > 1 && s.charAt(0) == '0') {
      radix = 8;
      digits = s.substring(1);
    }
    if (digits.length() > 11) {
      return -1;
    }
    try {
      return Long.parseLong(digits, radix);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean numericLike(String s) {
    if (s.isEmpty()) {
      return false;
    }
    if (s.length() > 1 && (s.startsWith("0x") || s.startsWith("0X"))) {
      for (int i = 2; i < s.length(); i++) {
        if (Character.digit(s.charAt(i), 16) < 0) {
          return false;
        }
      }
      return true;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static InetAddress toAddress(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("address of illegal length " + bytes.length, e);
    }
  }
}
