package dev.relay.loadtest.report;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Number formats shared by the text and HTML reports. */
final class Format {
  private Format() {}

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%,.0f", perSecond);
  }

  static String ms(double ms) {
    return ms >= 100 ? String.format(Locale.ROOT, "%,.0f", ms) : String.format(Locale.ROOT, "%.2f", ms);
  }

  static String seconds(double s) {
    return String.format(Locale.ROOT, "%.2f", s);
  }

  static String percent(@Nullable Double fraction) {
    return fraction == null ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
  }

  static String mib(double mib) {
    return String.format(Locale.ROOT, "%.0f", mib);
  }

  static String bytes(long bytes) {
    return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0)
        : String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0);
  }
}
