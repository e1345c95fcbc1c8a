package dev.relay.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The relay as a separate process, the way users run it: {@code java -jar target/relay.jar ...}
 * (the packaged jar; failsafe runs after {@code package}; {@code relay-demo.jar} for the demo), or
 * the test classpath when the jar is missing (an IDE run). {@link Process#destroy()} sends SIGTERM.
 */
public final class RelayProcess implements AutoCloseable {
  private final Process process;
  private final Path output;

  private RelayProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** The production jar. */
  public static final Path JAR = Path.of("target", "relay.jar");
  /** The same with the embedded Postgres, for {@code relay demo}. */
  public static final Path DEMO_JAR = Path.of("target", "relay-demo.jar");

  public static RelayProcess start(Path output, Map<String, String> env, String... args) {
    return start(JAR, output, env, args);
  }

  public static RelayProcess start(Path jar, Path output, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    if (Files.isRegularFile(jar)) {
      command.add("-jar");
      command.add(jar.toString());
    } else {
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add("dev.relay.app.Main");
    }
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    pb.environment().putAll(env);
    try {
      return new RelayProcess(pb.start(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Process process() {
    return process;
  }

  /** SIGTERM, then waits; returns the exit code, or -1 if it did not exit in time. */
  public int terminate(Duration wait) throws InterruptedException {
    process.destroy();
    return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  public String output() {
    try {
      return Files.readString(output);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
