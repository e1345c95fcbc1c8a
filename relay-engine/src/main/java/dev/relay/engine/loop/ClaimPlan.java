package dev.relay.engine.loop;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the next claim asks for.
 *
 * @param limit rows in all (free in-flight slots, at most the claim batch size)
 * @param names endpoints whose cap differs from {@code defaultCap}: lanes in flight, endpoints
 *     with their own max-in-flight, endpoints that must not be claimed now (cap 0)
 * @param caps their caps, aligned with {@code names}
 * @param keyCursors where each named endpoint's walk over ordering keys starts ("" = first key)
 * @param defaultCap cap of every other endpoint
 * @param cursor where the walk over endpoints starts ("" = first), so claims take turns
 * @param only a targeted claim: just these endpoints; null for a discovery claim that walks every
 *     endpoint with pending rows
 * @param drainingOn endpoints to mark as drained by this relay before the claim (publishes to them
 *     stop notifying)
 * @param drainingOff endpoints whose mark to clear before the claim; the claim probes them once
 *     more after the clear
 */
record ClaimPlan(
    int limit,
    List<String> names,
    List<Integer> caps,
    List<String> keyCursors,
    int defaultCap,
    String cursor,
    @Nullable List<String> only,
    List<String> drainingOn,
    List<String> drainingOff) {

  boolean discovery() {
    return only == null;
  }

  boolean marks() {
    return !drainingOn.isEmpty() || !drainingOff.isEmpty();
  }

  int capOf(String endpoint) {
    int i = names.indexOf(endpoint);
    return i < 0 ? defaultCap : caps.get(i);
  }
}
