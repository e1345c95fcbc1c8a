package dev.relay.loadtest.receiver;

/**
 * What the receiver has seen since it started.
 *
 * @param requests every POST
 * @param accepted verified and answered 2xx (reported as arrivals)
 * @param badSignatures failed Standard Webhooks verification (answered 401)
 * @param malformed no Content-Length, or a body over the limit (answered 411/413)
 * @param errorsAnswered answered with the schedule's error status
 * @param resets connections reset by the schedule
 * @param hung left unanswered by the schedule
 */
public record ReceiverCounts(long requests, long accepted, long badSignatures, long malformed, long errorsAnswered,
    long resets, long hung) {}
