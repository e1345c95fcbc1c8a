/** Connections, migrations and every SQL statement the engine runs. */
@NullMarked
package dev.relay.engine.db;

import org.jspecify.annotations.NullMarked;
