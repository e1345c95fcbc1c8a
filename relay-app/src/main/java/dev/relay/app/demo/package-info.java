/** relay demo: embedded Postgres, a verifying sample receiver and a sample publisher. */
@NullMarked
package dev.relay.app.demo;

import org.jspecify.annotations.NullMarked;
