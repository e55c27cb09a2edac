package dev.hearth.pool;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Creates and destroys pods. Implementations: the local driver (a runner per pod on loopback) and the
 * Kubernetes driver. All methods are lazy and non-blocking; blocking work runs off the caller's thread.
 */
public interface PodDriver extends AutoCloseable {

    /**
     * Creates a pod for the pool and completes when its runner answers health, i.e. the pod is warm.
     * Errors when the pod cannot be created or does not become ready; nothing is left behind then.
     */
    Mono<Pod> create(PoolConfig pool);

    /**
     * Records that the pod was handed to a runtime (on Kubernetes, the {@code hearth.dev/state=claimed} label),
     * so that operators and reconciliation see it. The claim itself is the lease; this is bookkeeping and
     * may fail without harm. Emits whether the mark was set.
     */
    default Mono<Boolean> markClaimed(Pod pod) {
        return Mono.just(true);
    }

    /**
     * Whether the driver cannot create pods for the image now (on Kubernetes: the pool's circuit breaker
     * is open). A degraded pool fails acquisitions that would wait for a new pod at once.
     */
    default boolean degraded(String image) {
        return false;
    }

    /** Destroys the pod and everything it started. Idempotent: deleting a gone pod completes. */
    Mono<Void> delete(Pod pod);

    /**
     * Pods that ended without {@link #delete} (crashed, evicted, killed), as pod ids. Hot; never completes
     * while the driver is open.
     */
    Flux<String> terminations();

    /** Destroys every pod this driver created and is still tracking. Blocking; for shutdown. */
    @Override
    void close();
}
