/** Liveness and readiness: database, migrations, wakeup mode. */
@NullMarked
package dev.relay.app.health;

import org.jspecify.annotations.NullMarked;
