/**
 * The attempt history for operators: every attempt of a message, of a delivery, and an
 * endpoint's recent failures. Written by the settle (see {@code Sql.settle()}), read here.
 */
@NullMarked
package dev.relay.engine.history;

import org.jspecify.annotations.NullMarked;
