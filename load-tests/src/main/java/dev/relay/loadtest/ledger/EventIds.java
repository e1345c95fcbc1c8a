package dev.relay.loadtest.ledger;

import java.util.regex.Pattern;

/** Event ids of one phase: {@code TAG-SEQ}, SEQ from 0. The tag keeps phases (and stragglers) apart. */
public record EventIds(String tag) {
  private static final Pattern TAG = Pattern.compile("[a-z0-9]{1,16}");

  public EventIds {
    if (!TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("event id tag must be 1-16 lower-case letters or digits, was " + tag);
    }
  }

  public String id(long seq) {
    return tag + "-" + seq;
  }

  /** The sequence number, or -1 if the id is not one of this phase's. */
  public long seq(String id) {
    int n = tag.length();
    if (id.length() <= n + 1 || !id.startsWith(tag) || id.charAt(n) != '-') {
      return -1;
    }
    long seq = 0;
    for (int i = n + 1; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9' || seq > Long.MAX_VALUE / 10 - 9) {
        return -1;
      }
      seq = seq * 10 + (c - '0');
    }
    return seq;
  }
}
