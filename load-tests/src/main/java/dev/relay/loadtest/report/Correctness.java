package dev.relay.loadtest.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Exactly what arrived in a phase, by event id.
 *
 * @param published events committed by the publisher
 * @param delivered distinct published ids that arrived
 * @param undelivered published ids that never arrived (lost, unless the phase timed out first)
 * @param duplicates arrivals of an id that had already arrived
 * @param unexpected arrivals of ids not published in this phase (stragglers of an earlier one)
 * @param badSignatures requests whose Standard Webhooks signature did not verify
 * @param timedOut the phase stopped waiting before everything arrived
 * @param duplicatesAllowed the receiver's schedule makes duplicates legitimate (resets, hangs)
 * @param missingSample the first few undelivered ids
 */
public record Correctness(long published, long delivered, long undelivered, long duplicates, long unexpected,
    long badSignatures, boolean timedOut, boolean duplicatesAllowed, List<String> missingSample) {

  /** Lost: not delivered although the phase waited for it. */
  @JsonProperty
  public long lost() {
    return timedOut ? 0 : undelivered;
  }

  /** Nothing lost, nothing forged, no unwarranted duplicate, and the phase finished. */
  @JsonProperty
  public boolean ok() {
    return !timedOut && undelivered == 0 && badSignatures == 0 && (duplicates == 0 || duplicatesAllowed);
  }

  /** Why {@link #ok()} is false, in words, or "ok". */
  @JsonProperty
  public String verdict() {
    if (ok()) {
      return "ok";
    }
    StringBuilder b = new StringBuilder();
    if (timedOut) {
      b.append("timed out, ").append(delivered).append(" of ").append(published).append(" delivered; ");
    } else if (undelivered > 0) {
      b.append(undelivered).append(" LOST (e.g. ").append(String.join(", ", missingSample)).append("); ");
    }
    if (badSignatures > 0) {
      b.append(badSignatures).append(" bad signatures; ");
    }
    if (duplicates > 0 && !duplicatesAllowed) {
      b.append(duplicates).append(" duplicates; ");
    }
    return b.substring(0, b.length() - 2);
  }
}
