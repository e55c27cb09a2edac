package dev.hearth.pool;

import reactor.core.publisher.Mono;

/**
 * The pods of one runtime image, as the runtime lifecycle sees them. {@link ImagePool} keeps its own warm
 * pods (local driver, or any driver under pool accounting); {@code ClusterImagePool} claims pods a
 * leader-elected reconciler keeps warm in the cluster, shared by every replica.
 */
public interface PodPool extends AutoCloseable {

    PoolConfig config();

    /** Starts filling the pool. Idempotent. */
    void warmup();

    /**
     * Takes a pod for one runtime, waiting up to the pool's acquire timeout. Lazy. Errors:
     * {@link PoolExhaustedException}, {@link PoolDegradedException}, {@link AcquireTimeoutException}.
     */
    Mono<PooledPod> acquire();

    /** A pod of this pool ended on its own. */
    void podTerminated(String podId);

    /** Periodic duty (every second). */
    Mono<Void> maintain();

    /** Whether the pool cannot create pods now. */
    boolean degraded();

    PoolMetrics metrics();

    @Override
    void close();
}
