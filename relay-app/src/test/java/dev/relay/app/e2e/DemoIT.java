package dev.relay.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.relay.app.RelayProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relay demo} needs nothing but a JDK: relay-demo.jar shows verified deliveries within
 * seconds and exits 0; the production relay.jar carries no embedded database and says where the
 * demo is.
 */
class DemoIT {
  /** Issue 14's target for the production artifact. */
  static final long MAX_PRODUCTION_JAR_BYTES = 25_000_000;

  @Test
  void demoShowsVerifiedDeliveriesAndExitsCleanly(@TempDir Path dir) throws Exception {
    try (RelayProcess demo = RelayProcess.start(RelayProcess.DEMO_JAR, dir.resolve("demo.log"), Map.of(),
        "demo", "--duration", "PT20S", "--port", "0", "--rate", "5")) {
      assertThat(demo.process().waitFor(150, TimeUnit.SECONDS)).as(demo.output()).isTrue();
      String out = demo.output();
      assertThat(demo.process().exitValue()).as(out).isZero();
      assertThat(out).contains("Relay demo is running.").contains("/metrics").contains("/admin/endpoints")
          .contains("/admin/endpoints/billing/failures").contains("signature verified").contains(" 0 bad signatures");
      assertThat(out.lines().filter(l -> l.contains("signature verified")).count()).isGreaterThan(20);
      // The endpoint the demo created at runtime receives its invoices, signed and verified.
      assertThat(out).contains("/admin/runtime-endpoints/acme-invoices");
      assertThat(out.lines().filter(l -> l.contains("acme-invoices") && l.contains("signature verified"))).isNotEmpty();
    }
  }

  @Test
  void productionJarIsSlimAndPointsToTheDemoJar(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(RelayProcess.JAR), "packaged jar (mvn verify)");
    assertThat(Files.size(RelayProcess.JAR)).isLessThan(MAX_PRODUCTION_JAR_BYTES);
    try (ZipFile jar = new ZipFile(RelayProcess.JAR.toFile())) {
      assertThat(jar.stream().map(ZipEntry::getName))
          .noneMatch(n -> n.endsWith(".txz") || n.startsWith("io/zonky/") || n.contains("quiche"))
          .contains("dev/relay/app/Main.class", "io/opentelemetry/sdk/OpenTelemetrySdk.class");
    }
    try (RelayProcess demo = RelayProcess.start(dir.resolve("slim.log"), Map.of(), "demo")) {
      assertThat(demo.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(demo.process().exitValue()).isEqualTo(1);
      assertThat(demo.output()).contains("relay-demo.jar");
    }
  }
}
