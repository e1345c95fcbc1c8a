package dev.relay.webhook.client;

import org.jspecify.annotations.Nullable;

/**
 * What came back from one attempt: the status line, the headers classification needs, and the
 * start of the body.
 *
 * @param status the HTTP status code
 * @param retryAfter the raw {@code Retry-After} header, if any
 * @param location the raw {@code Location} header, if any
 * @param bodyStart the first bytes of the body decoded as UTF-8 (at most {@link
 *     EndpointClient#KEPT_BODY_BYTES} bytes), unsanitised
 * @param bodyBytesRead body bytes read in total (at most the cap plus one network read)
 * @param bodyTruncated true if reading stopped early, at the cap or after {@link
 *     EndpointClient#BODY_WAIT}, and the connection was closed
 */
public record HttpReply(
    int status,
    @Nullable String retryAfter,
    @Nullable String location,
    String bodyStart,
    long bodyBytesRead,
    boolean bodyTruncated) {}
