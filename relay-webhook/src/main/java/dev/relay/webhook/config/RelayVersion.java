package dev.relay.webhook.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The relay's version, from a resource Maven filters at build time. */
final class RelayVersion {

  static final String VERSION = load();

  private RelayVersion() {}

  private static String load() {
    try (InputStream in =
        RelayVersion.class.getResourceAsStream("/dev/relay/webhook/relay-webhook.properties")) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "dev");
      return v.startsWith("${") ? "dev" : v;
    } catch (IOException e) {
      return "dev";
    }
  }
}
