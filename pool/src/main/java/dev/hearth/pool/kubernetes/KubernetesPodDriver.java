package dev.hearth.pool.kubernetes;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PodDriver;
import dev.hearth.pool.PoolConfig;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Kubernetes driver (DESIGN.md, "Kubernetes"): {@link PodDriver} over {@link PodCreation}, which makes and deletes
 * pods, and {@link ClusterPods}, the cache whose changes a {@link TerminationTracker} turns into
 * {@link #terminations()}. It holds no state of its own but that tracker.
 *
 * <p>A pod deleted through {@link #delete} is no termination; one deleted by anyone else — another replica, the
 * leader's reconciler (which deletes only pods no runtime holds: warm, ended, orphaned, abandoned), a person with
 * kubectl — is one, on every replica alike.
 */
public final class KubernetesPodDriver implements PodDriver {

    private static final Logger log = LoggerFactory.getLogger(KubernetesPodDriver.class);

    private final PodCreation creation;
    private final TerminationTracker terminations = new TerminationTracker();
    private final Disposable tracking;

    /** Starts tracking terminations from the cache's changes at once; start the cache itself before creating pods. */
    public KubernetesPodDriver(ClusterPods pods, PodCreation creation) {
        this.creation = creation;
        this.tracking = pods.events().subscribe(terminations::onEvent,
                error -> log.error("Termination tracking stopped", error));
    }

    @Override
    public Mono<Pod> create(PoolConfig pool) {
        return creation.create(pool);
    }

    @Override
    public Mono<Void> delete(String podId) {
        return Mono.defer(() -> {
            terminations.deleting(podId);
            return creation.delete(podId);
        });
    }

    @Override
    public Flux<String> terminations() {
        return terminations.terminations();
    }

    /** Whether the pool's creation breaker is open (half-open is not: its probe creations must go through). */
    @Override
    public boolean degraded(String image) {
        return creation.degraded(image);
    }

    /**
     * Deletes the pods this replica created and has not deleted (waits up to 30 s), then completes
     * {@link #terminations()}. The cache is its owner's to close.
     */
    @Override
    public void close() {
        creation.close();
        tracking.dispose();
        terminations.complete();
    }
}
