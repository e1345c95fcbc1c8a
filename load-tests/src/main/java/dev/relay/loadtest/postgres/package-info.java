/**
 * The database under load: {@link dev.relay.loadtest.postgres.PostgresServer} starts a throwaway
 * embedded Postgres 17 (the default) or points at one given by URL, can stop and restart the
 * embedded one (for fault-injection runs), and {@link dev.relay.loadtest.postgres.TableStats}
 * reads dead tuples and table sizes.
 */
@NullMarked
package dev.relay.loadtest.postgres;

import org.jspecify.annotations.NullMarked;
