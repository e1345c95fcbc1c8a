package dev.relay.loadtest.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/** Relay's throughput as a fraction of each ceiling (null where that ceiling was not measured). */
public record Ratios(@Nullable Double ofDatabase, @Nullable Double ofHttp) {
  public static final Ratios NONE = new Ratios(null, null);

  /** Of the lower ceiling. */
  @JsonProperty
  public @Nullable Double ofLower() {
    if (ofDatabase == null) {
      return ofHttp;
    }
    return ofHttp == null ? ofDatabase : Math.max(ofDatabase, ofHttp);
  }
}
