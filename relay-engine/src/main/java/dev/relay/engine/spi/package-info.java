/** The delivery SPI: what the engine asks of a transport (webhooks, or a test double). */
@NullMarked
package dev.relay.engine.spi;

import org.jspecify.annotations.NullMarked;
