package dev.relay.loadtest.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads {@code /proc/<pid>/stat} (utime, stime in clock ticks) and {@code /proc/<pid>/status}
 * (VmRSS, VmHWM in kB). Linux only; elsewhere, or once the process is gone, {@link
 * ProcSample#NONE}.
 */
public final class ProcStats {
  /** USER_HZ: 100 on every mainstream Linux build (sysconf(_SC_CLK_TCK)). */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private ProcStats() {}

  public static ProcSample read(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
      return new ProcSample(cpuNanos(stat), kiloBytes(status, "VmRSS:") * 1024, kiloBytes(status, "VmHWM:") * 1024);
    } catch (NoSuchFileException e) {
      return ProcSample.NONE;
    } catch (IOException | RuntimeException e) {
      return ProcSample.NONE;
    }
  }

  /**
   * CPU time the whole machine spent busy since boot, over all cores ({@code /proc/stat}: user,
   * nice, system, irq, softirq, steal); -1 elsewhere.
   */
  public static long machineBusyNanos() {
    try {
      return busyNanos(Files.readAllLines(Path.of("/proc/stat")).get(0));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The "cpu" line: user nice system idle iowait irq softirq steal ..., in clock ticks. */
  static long busyNanos(String cpuLine) {
    String[] f = cpuLine.strip().split("\\s+");
    long ticks = 0;
    for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
      ticks += Long.parseLong(f[i]);
    }
    return ticks * NANOS_PER_TICK;
  }

  /** Fields after the parenthesised command name: state is field 3, utime 14, stime 15. */
  static long cpuNanos(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
  }

  static long kiloBytes(String status, String key) {
    for (String line : status.split("\n")) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).replace("kB", "").strip());
      }
    }
    return 0;
  }
}
