package dev.relay.loadtest.footprint;

/**
 * What a relay held at one stage of the run.
 *
 * @param stage what had happened to the relay, in words
 * @param rssBytes resident set size (VmRSS)
 * @param peakRssBytes peak resident set size so far (VmHWM)
 * @param heapUsedBytes JVM heap in use ({@code jvm_memory_used_bytes{area="heap"}} summed over the
 *     pools), -1 if the relay did not say
 * @param series Prometheus samples the relay's {@code /metrics} exposes (lines that are not comments)
 * @param endpointLabels distinct values of the {@code endpoint} label among them
 * @param afterGc a full GC ran just before the reading ({@code jcmd <pid> GC.run})
 */
public record Footprint(String stage, long rssBytes, long peakRssBytes, long heapUsedBytes, int series,
    int endpointLabels, boolean afterGc) {
  private static final java.util.regex.Pattern ENDPOINT_LABEL = java.util.regex.Pattern.compile("[{,]endpoint=\"([^\"]*)\"");

  /** Reads the heap and the series count out of a Prometheus text exposition. */
  public static Footprint of(String stage, long rssBytes, long peakRssBytes, String metrics, boolean afterGc) {
    return new Footprint(stage, rssBytes, peakRssBytes, heapUsed(metrics), series(metrics), endpointLabels(metrics),
        afterGc);
  }

  /** Distinct values of the {@code endpoint} label over all samples. */
  static int endpointLabels(String metrics) {
    java.util.Set<String> values = new java.util.HashSet<>();
    java.util.regex.Matcher m = ENDPOINT_LABEL.matcher(metrics);
    while (m.find()) {
      values.add(m.group(1));
    }
    return values.size();
  }

  /** Sum of {@code jvm_memory_used_bytes} samples labelled {@code area="heap"}; -1 if there is none. */
  static long heapUsed(String metrics) {
    double sum = 0;
    boolean found = false;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? Math.round(sum) : -1;
  }

  /** Sample lines: neither blank nor a {@code # HELP} / {@code # TYPE} comment. */
  static int series(String metrics) {
    int n = 0;
    for (String line : metrics.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        n++;
      }
    }
    return n;
  }
}
