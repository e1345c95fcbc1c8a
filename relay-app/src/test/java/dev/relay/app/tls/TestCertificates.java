package dev.relay.app.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A certificate authority and a server certificate for {@code localhost}, made with the JDK's own
 * keytool (nothing to install), as the PEM files Postgres and the relay read.
 *
 * @param caCert the authority's certificate (what {@code ssl-root-cert} names)
 * @param otherCaCert an unrelated authority's certificate (a wrong {@code ssl-root-cert})
 * @param serverCert the server's certificate, signed by the authority, for DNS name localhost only
 * @param serverKey its private key, PKCS#8 PEM, readable by its owner only (Postgres insists)
 */
record TestCertificates(Path caCert, Path otherCaCert, Path serverCert, Path serverKey) {
  private static final String PASS = "changeit";

  static TestCertificates create(Path dir) throws IOException, InterruptedException {
    authority(dir, "ca", "CN=Relay Test CA");
    authority(dir, "other", "CN=Some Other CA");
    keytool(dir, "-genkeypair", "-keystore", "server.p12", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=localhost", "-validity", "2");
    keytool(dir, "-certreq", "-keystore", "server.p12", "-alias", "server", "-file", "server.csr");
    keytool(dir, "-gencert", "-keystore", "ca.p12", "-alias", "ca", "-infile", "server.csr", "-outfile", "server.pem",
        "-rfc", "-ext", "SAN=dns:localhost", "-validity", "2");
    Path key = dir.resolve("server.key");
    Files.writeString(key, pem(privateKey(dir.resolve("server.p12"))), StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    return new TestCertificates(dir.resolve("ca.pem"), dir.resolve("other.pem"), dir.resolve("server.pem"), key);
  }

  private static void authority(Path dir, String name, String dn) throws IOException, InterruptedException {
    keytool(dir, "-genkeypair", "-keystore", name + ".p12", "-alias", name, "-keyalg", "RSA", "-keysize", "2048",
        "-dname", dn, "-ext", "bc:c", "-validity", "2");
    keytool(dir, "-exportcert", "-rfc", "-keystore", name + ".p12", "-alias", name, "-file", name + ".pem");
  }

  private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASS, "-keypass", PASS, "-noprompt"));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + output);
    }
  }

  private static Key privateKey(Path store) throws IOException {
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASS.toCharArray());
      return ks.getKey("server", PASS.toCharArray());
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  private static String pem(Key key) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }
}
