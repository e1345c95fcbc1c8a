package dev.relay.engine;

import dev.relay.engine.db.Database;
import dev.relay.engine.delivery.Deliveries;

/** Read-side helpers usable without a running engine. */
record RelayEngineAccess(Database database) {
  Deliveries deliveries() {
    return new Deliveries(database);
  }
}
