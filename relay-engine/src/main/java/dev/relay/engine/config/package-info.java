/** Validated configuration records for the engine; messages name the offending key. */
@NullMarked
package dev.relay.engine.config;

import org.jspecify.annotations.NullMarked;
