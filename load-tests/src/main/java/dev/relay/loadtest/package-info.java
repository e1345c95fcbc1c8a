/**
 * relay-load: end-to-end load runs of the packaged relay. {@link dev.relay.loadtest.Main} is the
 * command; {@link dev.relay.loadtest.LoadTool} runs one scenario and writes its reports.
 */
@NullMarked
package dev.relay.loadtest;

import org.jspecify.annotations.NullMarked;
