package dev.hearth.pool;

/**
 * What pools report for metrics: how each acquisition ended and how long it waited, how long pods took from
 * creation to warm, and which pods were reaped. The gateway implements it with Micrometer
 * ({@code dev.hearth.gateway.metrics}); {@link #NONE} everywhere else.
 *
 * <p>Why an observer rather than Micrometer in this module: a pool reports one fact in one call (image,
 * outcome, nanoseconds) and stays free of meter names, tags, caching and registries; every metric name is
 * defined in one gateway class that the chart's dashboards are checked against; and pool tests assert what
 * was reported with a plain recording observer.
 *
 * <p>Threading: called on whatever thread the event happens on (an event loop, a timer), never under an
 * {@link ImagePool}'s monitor. Implementations must be quick, must not block, must not throw and must not call
 * back into a pool.
 */
public interface PoolObserver {

    PoolObserver NONE = new PoolObserver() {
    };

    /** How an acquisition ended. */
    enum Acquisition {
        /** A warm pod was there at once. */
        WARM,
        /** It waited until a pod was created for it (or became warm); with {@code size: 0}, its own pod. */
        CREATED,
        /** The acquire timeout ran out while it waited. */
        TIMEOUT,
        /** Refused at once: the pending queue was full. */
        EXHAUSTED,
        /** Refused (at once or while waiting): the pool cannot create pods. */
        DEGRADED,
        /** Its caller went away while it waited. */
        CANCELLED,
        /** Any other error, e.g. the pool closed. */
        FAILED;

        /** The outcome of an acquisition that ended with {@code error}. */
        public static Acquisition of(Throwable error) {
            if (error instanceof AcquireTimeoutException) {
                return TIMEOUT;
            }
            if (error instanceof PoolExhaustedException) {
                return EXHAUSTED;
            }
            return error instanceof PoolDegradedException ? DEGRADED : FAILED;
        }
    }

    /** How a pod's start ended. */
    enum PodStart {
        /** It became warm (its runner answers health). */
        READY,
        /** It could not be created, did not become ready in time, or its creation was cancelled. */
        FAILED
    }

    /** Why a pod was deleted by the pool or the reconciler rather than with its runtime. */
    enum Reap {
        /** A warm pod beyond the pool's size. */
        SURPLUS,
        /** Its containers ended on their own (crashed, evicted, Failed or Succeeded). */
        ENDED,
        /** A warm pod not ready within the pool's start timeout. */
        UNREADY,
        /** Made under a configuration no longer current: its pool is not configured, or its secret was derived from
         *  another pod-secret key. */
        ORPHAN,
        /** Claimed, but its holder's lease is gone (the replica that claimed it died). */
        ABANDONED
    }

    /** An acquisition of {@code image} ended after {@code nanos} (from its subscription). */
    default void acquired(String image, Acquisition outcome, long nanos) {
    }

    /** A pod of {@code image} was warm, or failed to be, {@code nanos} after its creation began. */
    default void podStarted(String image, PodStart outcome, long nanos) {
    }

    /** {@code count} pods were deleted for {@code reason}. */
    default void podsReaped(Reap reason, int count) {
    }
}
