package dev.relay.app.runtime;

import dev.relay.app.logging.Redactor;
import dev.relay.engine.config.DatabaseConfig;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Turns a failure to reach the database at start into one line an operator can act on: TLS
 * trust and host-name failures are named as such, with the key to change. Never quotes the URL.
 */
final class StartupCheck {
  private StartupCheck() {}

  /** The exception {@code relay run} reports: its message is the whole story, no cause chain. */
  static IllegalStateException databaseUnreachable(DatabaseConfig config, Throwable error) {
    String line = describe(config, error);
    // The server names the user in some errors; nothing under database is printed.
    for (String value : new String[] {config.user(), config.password(), config.url()}) {
      if (value != null && !value.isEmpty()) {
        line = line.replace(value, "***");
      }
    }
    return new IllegalStateException("cannot connect to the database: " + line);
  }

  static String describe(DatabaseConfig config, Throwable error) {
    String mode = config.tls().mode().text();
    String text = chainText(error);
    if (find(error, CertPathBuilderException.class) || find(error, CertPathValidatorException.class)
        || text.contains("pkix path") || text.contains("unable to find valid certification path")) {
      return "TLS: the server's certificate is not signed by the certificate authority in database.ssl-root-cert"
          + " (ssl-mode " + mode + ")";
    }
    if (text.contains("hostname") || text.contains("subject alternative name") || text.contains("doesn't match")
        || text.contains("does not match")) {
      return "TLS: the server's certificate does not name the host in database.url (ssl-mode " + mode
          + "); connect by the name on the certificate, or use ssl-mode verify-ca";
    }
    if (text.contains("ssl") && (text.contains("not supported") || text.contains("disabled") || text.contains("refused"))) {
      return "TLS: the server does not offer TLS but ssl-mode is " + mode;
    }
    if (find(error, SSLException.class) || find(error, CertificateException.class)) {
      return "TLS handshake failed (ssl-mode " + mode + "): " + firstLine(root(error));
    }
    return firstLine(root(error));
  }

  private static String chainText(Throwable error) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      out.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
    }
    return out.toString().toLowerCase(Locale.ROOT);
  }

  private static boolean find(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static Throwable root(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static String firstLine(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip();
    int newline = m.indexOf('\n');
    return Redactor.redact(newline < 0 ? m : m.substring(0, newline));
  }
}
