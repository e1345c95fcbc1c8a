package dev.relay.loadtest.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One relay: {@code java [jvm args] -jar relay.jar run --config <file>}, output to a log file.
 * The child gets this process's environment without any inherited {@code RELAY_*} variable (they
 * would override the generated file) plus the run's overrides. Relays still running when this
 * JVM exits are killed.
 */
public final class RelayProcess implements AutoCloseable {
  /** Relays still running; SIGKILLed if this JVM exits first (Ctrl-C), so none is left behind. */
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "relay-reaper"));
  }

  private final String name;
  private final Process process;
  private final Path log;
  private final AdminClient admin;

  private RelayProcess(String name, Process process, Path log, AdminClient admin) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.admin = admin;
  }

  /** Starts relay {@code name} with its own config file, admin port and log under {@code dir}. */
  public static RelayProcess start(RelaySpec spec, String name, Path dir) throws IOException {
    int port = FreePorts.next();
    Path config = dir.resolve(name + ".yaml");
    Path log = dir.resolve(name + ".log");
    Files.writeString(config, RelayConfigFile.yaml(spec, port));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(spec.jvmArgs());
    command.addAll(List.of("-jar", spec.jar().toString(), "run", "--config", config.toString()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("RELAY_"));
    pb.environment().putAll(RelayConfigFile.environment(spec.overrides()));
    Process process = pb.start();
    LIVE.add(process);
    process.onExit().thenRun(() -> LIVE.remove(process));
    return new RelayProcess(name, process, log, new AdminClient(port, spec.adminToken()));
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public AdminClient admin() {
    return admin;
  }

  public Path log() {
    return log;
  }

  public ProcSample sample() {
    return ProcStats.read(process.pid());
  }

  /** Waits for /health/ready; fails early, with the log's tail, if the process exits. */
  public void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!admin.ready()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("relay " + name + " exited with " + process.exitValue() + ":\n" + logTail(30));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("relay " + name + " not ready within " + timeout + ":\n" + logTail(30));
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /** SIGTERM (graceful drain), then SIGKILL if it has not exited within {@code wait}; the exit code. */
  public int terminate(Duration wait) throws InterruptedException {
    requestStop();
    return awaitExit(wait);
  }

  /** SIGTERM without waiting: the relay stops claiming and drains in flight. */
  public void requestStop() {
    process.destroy();
  }

  /** Waits for the exit; SIGKILL if it takes longer than {@code wait}. The exit code. */
  public int awaitExit(Duration wait) throws InterruptedException {
    if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
      return kill();
    }
    return process.exitValue();
  }

  /** SIGKILL, as a crash: no drain, leases left to expire. The exit code (137). */
  public int kill() throws InterruptedException {
    process.destroyForcibly();
    return process.waitFor();
  }

  /** The last lines of the relay's output. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      terminate(Duration.ofSeconds(40));
    }
  }
}
