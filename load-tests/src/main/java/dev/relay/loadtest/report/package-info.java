/**
 * What a run found, as values ({@link dev.relay.loadtest.report.RunReport} and its parts) and in
 * three forms: a summary table on stdout ({@link dev.relay.loadtest.report.SummaryTable}), a JSON
 * file ({@link dev.relay.loadtest.report.JsonReport}) and a self-contained HTML page with inline
 * SVG charts ({@link dev.relay.loadtest.report.HtmlReport}) that needs no network to view.
 */
@NullMarked
package dev.relay.loadtest.report;

import org.jspecify.annotations.NullMarked;
