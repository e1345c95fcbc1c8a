package dev.relay.loadtest.report;

/** HTML text escaping. */
final class Html {
  private Html() {}

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
        .replace("\"", "&quot;");
  }
}
