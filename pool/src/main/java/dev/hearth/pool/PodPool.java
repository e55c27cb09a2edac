package dev.hearth.pool;

import reactor.core.publisher.Mono;

/**
 * The pods of one runtime image, as the runtime lifecycle sees them: something to acquire a warm pod from.
 * {@link ImagePool} keeps this replica's own warm pods (drivers whose pods only this replica can reach);
 * {@code ClusterImagePool} takes pods a leader-elected reconciler keeps warm in the cluster, shared by every
 * replica. How a pool is filled, and by whom, is not part of this contract.
 */
public interface PodPool {

    PoolConfig config();

    /**
     * Takes a pod for one runtime, waiting up to the pool's acquire timeout; the pod is this caller's alone
     * until it ends the {@link PooledPod}. Lazy: nothing is taken before subscription; cancelling a waiting
     * acquisition takes nothing. Errors: {@link PoolExhaustedException} (pending queue full),
     * {@link PoolDegradedException} (no pod can be created now), {@link AcquireTimeoutException}.
     */
    Mono<PooledPod> acquire();

    /** Whether the pool cannot create pods now; for health and metrics. */
    boolean degraded();

    PoolMetrics metrics();
}
