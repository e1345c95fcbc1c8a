/** The picocli command line: run, demo, migrate, check-config, dead-letters, publish. */
@NullMarked
package dev.relay.app.cli;

import org.jspecify.annotations.NullMarked;
