/**
 * The command line: {@code <scenario> [--option value ...]}. {@link
 * dev.relay.loadtest.cli.OptionCatalog} lists every option with its default and help (the help
 * text and README are generated from the same list), {@link dev.relay.loadtest.cli.Arguments}
 * splits the words, and {@link dev.relay.loadtest.cli.Options} validates them into typed values,
 * naming the option in every error.
 */
@NullMarked
package dev.relay.loadtest.cli;

import org.jspecify.annotations.NullMarked;
