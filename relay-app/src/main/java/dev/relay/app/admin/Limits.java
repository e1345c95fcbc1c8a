package dev.relay.app.admin;

/** Longest text the admin API accepts per kind of field (characters). */
final class Limits {
  /** Endpoint names (configuration allows 63). */
  static final int NAME = 100;
  /** Event types, event ids, ordering keys. */
  static final int TEXT = 255;
  /** A pause reason: a sentence for other operators. */
  static final int REASON = 500;

  private Limits() {}
}
