package dev.hearth.runner.http;

/**
 * How long to wait between attempts to connect to a starting function server: a small share of the time waited so
 * far ({@link #SHARE}), at least {@link #FIRST_NANOS} and at most {@link #MAX_NANOS}. A server that starts in
 * 100 ms is seen accepting within about 2 ms of it (the old fixed 50 ms poll cost 25 ms on average), and one that
 * takes 10 s costs about 250 connect attempts, each a refused loopback connect of some microseconds. A server
 * gives no signal when it listens, so connect attempts are the notification; this keeps them cheap and prompt.
 *
 * <p>Stateless; thread-safe.
 */
final class AcceptPolling {

    static final long FIRST_NANOS = 500_000;
    static final long MAX_NANOS = 50_000_000;
    static final int SHARE = 50;

    private AcceptPolling() {
    }

    /** The pause before the next attempt, after {@code waitedNanos} of waiting. */
    static long pauseNanos(long waitedNanos) {
        return Math.min(MAX_NANOS, Math.max(FIRST_NANOS, waitedNanos / SHARE));
    }
}
