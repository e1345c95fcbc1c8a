package dev.relay.loadtest.report;

import java.util.ArrayList;
import java.util.List;

/** A fixed-width table: the first column left-aligned, the others right-aligned. */
public final class TextTable {
  private final List<String[]> rows = new ArrayList<>();

  public TextTable(String... header) {
    rows.add(header);
  }

  public TextTable row(String... cells) {
    rows.add(cells);
    return this;
  }

  @Override
  public String toString() {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (String[] r : rows) {
      for (int i = 0; i < columns; i++) {
        String pad = " ".repeat(width[i] - r[i].length());
        b.append(i == 0 ? r[i] + pad : "  " + pad + r[i]);
      }
      b.append('\n');
    }
    return b.toString();
  }
}
