package dev.relay.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.app.RelayProcess;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code relay demo} needs nothing but a JDK: it shows verified deliveries within seconds and exits 0. */
class DemoIT {
  @Test
  void demoShowsVerifiedDeliveriesAndExitsCleanly(@TempDir Path dir) throws Exception {
    try (RelayProcess demo = RelayProcess.start(dir.resolve("demo.log"), Map.of(),
        "demo", "--duration", "PT20S", "--port", "0", "--rate", "5")) {
      assertThat(demo.process().waitFor(150, TimeUnit.SECONDS)).as(demo.output()).isTrue();
      String out = demo.output();
      assertThat(demo.process().exitValue()).as(out).isZero();
      assertThat(out).contains("Relay demo is running.").contains("/metrics").contains("/admin/endpoints")
          .contains("signature verified").contains(" 0 bad signatures");
      assertThat(out.lines().filter(l -> l.contains("signature verified")).count()).isGreaterThan(20);
    }
  }
}
