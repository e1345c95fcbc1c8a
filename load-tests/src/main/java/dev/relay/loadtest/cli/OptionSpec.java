package dev.relay.loadtest.cli;

/**
 * One command-line option.
 *
 * @param name without the leading dashes
 * @param value what its value looks like in help, e.g. {@code N}; empty for a flag
 * @param fallback the default when neither the scenario nor the user sets it ("" = none)
 * @param help one line
 */
public record OptionSpec(String name, String value, String fallback, String help) {}
