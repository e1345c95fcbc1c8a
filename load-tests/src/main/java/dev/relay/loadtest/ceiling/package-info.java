/**
 * The two ceilings Relay cannot beat, measured in the same run on the same machine: the
 * database ceiling ({@link dev.relay.loadtest.ceiling.DatabaseCeiling}: the engine's own claim and
 * settle statements, taken from {@code Database.sql()} at run time, looped inside Postgres with no
 * client in between) and the HTTP ceiling ({@link dev.relay.loadtest.ceiling.HttpCeiling}: the
 * same signed POSTs at the same concurrency straight to the receiver, no database).
 */
@NullMarked
package dev.relay.loadtest.ceiling;

import org.jspecify.annotations.NullMarked;
