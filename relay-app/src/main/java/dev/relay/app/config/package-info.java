/** Loads relay.yaml: YAML parsing, ${ENV} interpolation, RELAY_* overrides, validation naming every bad key. */
@NullMarked
package dev.relay.app.config;

import org.jspecify.annotations.NullMarked;
