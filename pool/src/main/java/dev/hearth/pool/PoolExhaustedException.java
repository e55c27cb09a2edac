package dev.hearth.pool;

/** An image pool's pending queue is full: the caller is refused at once rather than queued. */
public final class PoolExhaustedException extends RuntimeException {

    public PoolExhaustedException(String image, int maxPending) {
        super("Pool for image '" + image + "' is exhausted: " + maxPending
                + " acquisitions are already waiting for a pod. Retry later.");
    }

    /** @param message why no pod can be had now (e.g. no room for one more pool) */
    public PoolExhaustedException(String message) {
        super(message);
    }
}
