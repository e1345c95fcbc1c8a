package dev.relay.engine.delivery;

import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/** Maps the delivery columns of {@code Sql} (DELIVERY_COLUMNS) to a record. */
public final class DeliveryRows {
  private DeliveryRows() {}

  public static DeliveryRecord map(Readable row) {
    return new DeliveryRecord(
        row.get("id", Long.class),
        row.get("message_id", Long.class),
        row.get("endpoint", String.class),
        row.get("event_id", String.class),
        row.get("event_type", String.class),
        row.get("state", String.class),
        row.get("attempts", Integer.class),
        instant(row.get("next_attempt_at", OffsetDateTime.class)),
        instant(row.get("last_attempt_at", OffsetDateTime.class)),
        row.get("last_status", Integer.class),
        row.get("last_error", String.class),
        instant(row.get("created_at", OffsetDateTime.class)),
        instant(row.get("settled_at", OffsetDateTime.class)));
  }

  @SuppressWarnings("NullAway")
  private static Instant instant(@Nullable OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
