package dev.relay.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as inline SVG: x and y axes with round-number ticks, one polyline per series, a
 * legend. Negative y values mean "unknown" and are left out. No script, no external resources.
 */
final class SvgChart {
  private static final int WIDTH = 720;
  private static final int HEIGHT = 240;
  private static final int LEFT = 64;
  private static final int RIGHT = 16;
  private static final int TOP = 28;
  private static final int BOTTOM = 36;
  static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"};

  /** One line: y values at the shared x values. */
  record Series(String name, double[] y) {}

  private SvgChart() {}

  static String render(String title, String yLabel, double[] x, List<Series> series) {
    double xMax = niceCeiling(max(x));
    double yMax = 0;
    for (Series s : series) {
      yMax = Math.max(yMax, max(s.y()));
    }
    yMax = niceCeiling(yMax);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
        + "viewBox='0 0 %d %d' font-family='sans-serif' font-size='11'>", WIDTH, HEIGHT, WIDTH, HEIGHT, WIDTH, HEIGHT));
    b.append(String.format(Locale.ROOT, "<text x='%d' y='16' font-size='13' font-weight='bold'>%s</text>", LEFT,
        Html.escape(title)));
    axes(b, xMax, yMax, yLabel);
    for (int i = 0; i < series.size(); i++) {
      line(b, x, series.get(i).y(), xMax, yMax, COLORS[i % COLORS.length]);
      legend(b, i, series.get(i).name());
    }
    return b.append("</svg>").toString();
  }

  private static void axes(StringBuilder b, double xMax, double yMax, String yLabel) {
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    b.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#999'/>",
        LEFT, TOP, plotW, plotH));
    for (int i = 0; i <= 4; i++) {
      double v = yMax * i / 4;
      double y = TOP + plotH - plotH * i / 4.0;
      b.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#eee'/>", LEFT,
          WIDTH - RIGHT, y, y));
      b.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' text-anchor='end'>%s</text>", LEFT - 4, y + 4,
          label(v)));
      double xv = xMax * i / 4;
      double xp = LEFT + plotW * i / 4.0;
      b.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' text-anchor='middle'>%s</text>", xp,
          HEIGHT - BOTTOM + 14, label(xv)));
    }
    b.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle'>seconds</text>",
        LEFT + plotW / 2, HEIGHT - 6));
    b.append(String.format(Locale.ROOT, "<text x='12' y='%d' transform='rotate(-90 12 %d)' text-anchor='middle'>%s</text>",
        TOP + plotH / 2, TOP + plotH / 2, Html.escape(yLabel)));
  }

  private static void line(StringBuilder b, double[] x, double[] y, double xMax, double yMax, String color) {
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    List<String> points = new ArrayList<>();
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      if (y[i] < 0 || Double.isNaN(y[i])) {
        continue;
      }
      points.add(String.format(Locale.ROOT, "%.1f,%.1f", LEFT + plotW * x[i] / xMax, TOP + plotH - plotH * y[i] / yMax));
    }
    b.append("<polyline fill='none' stroke-width='1.5' stroke='").append(color).append("' points='")
        .append(String.join(" ", points)).append("'/>");
  }

  private static void legend(StringBuilder b, int i, String name) {
    int x = WIDTH - RIGHT - 150;
    int y = TOP + 14 + i * 14;
    b.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='10' height='3' fill='%s'/>", x, y - 4,
        COLORS[i % COLORS.length]));
    b.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>%s</text>", x + 14, y, Html.escape(name)));
  }

  private static double max(double[] values) {
    double m = 0;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        m = Math.max(m, v);
      }
    }
    return m;
  }

  /** The smallest 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten that is at least {@code v} (1 for 0). */
  static double niceCeiling(double v) {
    if (v <= 0) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
      if (step * magnitude >= v) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String label(double v) {
    if (v >= 10_000) {
      return String.format(Locale.ROOT, "%.0fk", v / 1000);
    }
    String s = String.format(Locale.ROOT, "%.2f", v);
    return s.replaceAll("\\.?0+$", "");
  }
}
