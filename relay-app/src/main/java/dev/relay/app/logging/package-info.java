/** Logback setup: plain or JSON lines with secrets, signatures, tokens and URL user-info redacted. */
@NullMarked
package dev.relay.app.logging;

import org.jspecify.annotations.NullMarked;
