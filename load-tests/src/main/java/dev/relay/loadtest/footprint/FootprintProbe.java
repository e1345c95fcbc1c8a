package dev.relay.loadtest.footprint;

import dev.relay.loadtest.process.ProcSample;
import dev.relay.loadtest.process.RelayProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Reads a relay's footprint: a full GC first when this JDK has {@code jcmd} (so the heap figure is
 * what the relay keeps, not garbage not yet collected), then {@code /proc/<pid>/status} and {@code
 * /metrics}.
 */
final class FootprintProbe {
  private static final long GC_WAIT_SECONDS = 30;
  private static final long SETTLE_MILLIS = 500;
  private final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");

  private final Path out;
  private int readings;

  /** @param out where each reading's /metrics text is kept ({@code metrics-N.txt}) */
  FootprintProbe(Path out) {
    this.out = out;
  }

  Footprint read(String stage, RelayProcess relay) throws IOException, InterruptedException {
    boolean gc = gc(relay.pid());
    ProcSample proc = relay.sample();
    String metrics = relay.admin().metrics();
    Files.writeString(out.resolve("metrics-" + (++readings) + ".txt"), metrics);
    return Footprint.of(stage, proc.rssBytes(), proc.peakRssBytes(), metrics, gc);
  }

  /** {@code jcmd <pid> GC.run}; false if there is no jcmd or it failed. */
  private boolean gc(long pid) throws IOException, InterruptedException {
    if (!Files.isExecutable(jcmd)) {
      return false;
    }
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(GC_WAIT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return false;
    }
    TimeUnit.MILLISECONDS.sleep(SETTLE_MILLIS);
    return p.exitValue() == 0;
  }
}
