package dev.relay.engine.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * The JDBC driver reads a client key as PKCS#8 DER, the R2DBC driver as PEM: one PEM file is
 * configured, and the JDBC driver gets a DER copy only the relay's user can read, removed at exit.
 */
final class JdbcKeys {
  private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String END = "-----END PRIVATE KEY-----";

  private JdbcKeys() {}

  static String der(String keyFile) {
    try {
      String text = Files.readString(Path.of(keyFile), StandardCharsets.US_ASCII);
      int begin = text.indexOf(BEGIN);
      int end = text.indexOf(END);
      if (begin < 0 || end < begin) {
        return keyFile; // not PEM PKCS#8: hand the driver the file as it is
      }
      byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end));
      Path copy = Files.createTempFile("relay-db-key", ".pk8",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      copy.toFile().deleteOnExit();
      Files.write(copy, der);
      return copy.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read database.ssl-key", e);
    }
  }
}
