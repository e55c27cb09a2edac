package dev.hearth.pool;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Creates and destroys pods. Implementations: the local driver (a runner per pod on loopback) and the
 * Kubernetes driver. All methods are lazy and non-blocking; blocking work runs off the caller's thread.
 * A driver knows nothing of pools, leases or runtimes: it makes pods and ends them.
 */
public interface PodDriver extends AutoCloseable {

    /**
     * Creates a pod for the pool and completes when its runner answers health, i.e. the pod is warm.
     * Errors when the pod cannot be created or does not become ready; nothing is left behind then, also
     * when the creation is cancelled.
     */
    Mono<Pod> create(PoolConfig pool);

    /** Destroys the pod with this id and everything it started. Idempotent: deleting a gone pod completes. */
    Mono<Void> delete(String podId);

    /**
     * Whether the driver cannot create pods for the image now (on Kubernetes: the pool's circuit breaker
     * is open). A degraded pool fails acquisitions that would wait for a new pod at once.
     */
    default boolean degraded(String image) {
        return false;
    }

    /**
     * Pods that ended without {@link #delete} (crashed, evicted, killed), as pod ids. Hot; never completes
     * while the driver is open.
     */
    Flux<String> terminations();

    /** Destroys every pod this driver created and is still tracking. Blocking (bounded); for shutdown. */
    @Override
    void close();
}
