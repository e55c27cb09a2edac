package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.AcquireTimeoutException;
import dev.hearth.pool.Pod;
import dev.hearth.pool.PodDriver;
import dev.hearth.pool.PodPool;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolDegradedException;
import dev.hearth.pool.PoolExhaustedException;
import dev.hearth.pool.PoolEvents;
import dev.hearth.pool.PoolMetrics;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.PoolObserver.Acquisition;
import dev.hearth.pool.PooledPod;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * An image pool on Kubernetes shared by every replica (DESIGN.md: reconciliation on one replica, acquiring
 * on all). The warm pods are kept by the elected leader's {@link PoolReconciler}; any replica claims one from
 * the informer cache by relabelling it {@code claimed} with a resourceVersion precondition, so of concurrent
 * claimers on any replicas exactly one wins (fission's unguarded label patch is the counter-example).
 * A claim changes the pod's labels, which the leader sees at once and answers with a replacement: no timer.
 * {@code size: 0} pools create a Job per acquisition instead.
 */
public final class ClusterImagePool implements PodPool {

    private static final Logger log = LoggerFactory.getLogger(ClusterImagePool.class);
    /** How often a waiting acquisition looks at the cache again (no API call: the cache is in memory). */
    private static final Duration LOOK_AGAIN = Duration.ofMillis(50);
    private static final Duration RETRY_CREATE = Duration.ofMillis(200);

    private final PoolConfig config;
    private final ClusterPods pods;
    private final PodDriver driver;
    private final PoolEvents events;
    private final AtomicInteger claimed = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();

    /**
     * @param pods   the cache warm pods are taken from
     * @param driver creates a size-0 pool's Job pods and deletes pods
     */
    public ClusterImagePool(PoolConfig config, ClusterPods pods, PodDriver driver, PoolObserver observer) {
        this.config = config;
        this.pods = pods;
        this.driver = driver;
        this.events = new PoolEvents(observer, config.image());
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    /** Reports each acquisition: a pod claimed at once is warm; one waited for (or its own Job) is created. */
    @Override
    public Mono<PooledPod> acquire() {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            if (config.size() == 0) {
                return events.acquisition(onDemand(), Acquisition.CREATED, started);
            }
            return events.acquisition(claimWarm(), Acquisition.WARM, started)
                    .switchIfEmpty(Mono.defer(() -> events.acquisition(await(), Acquisition.CREATED, started)));
        });
    }

    /** One pass over the cached warm pods, in random order so that replicas rarely race for the same pod. */
    private Mono<PooledPod> claimWarm() {
        return Mono.fromSupplier(() -> pods.warmPods(config.image()))
                .flatMapMany(warm -> {
                    List<Pod> order = new ArrayList<>(warm);
                    Collections.shuffle(order);
                    return Flux.fromIterable(order);
                })
                // A claim that errors (the API failing past its retries) counts as lost: the next pod, or the next
                // look, is tried. Had the patch applied after all, the pod is an abandoned claim the leader reaps.
                .concatMap(pod -> pods.take(pod)
                        .onErrorResume(error -> {
                            log.debug("Claiming {} failed; trying another: {}", pod, error.toString());
                            return Mono.just(false);
                        })
                        .filter(won -> won)
                        .map(won -> pod))
                .next()
                .map(Claim::new);
    }

    private Mono<PooledPod> await() {
        if (degraded()) {
            return Mono.error(new PoolDegradedException(config.image()));
        }
        if (pending.incrementAndGet() > config.maxPending()) {
            pending.decrementAndGet();
            return Mono.error(new PoolExhaustedException(config.image(), config.maxPending()));
        }
        // Looks again a while after each look ends (a look slowed by API retries delays the next, never overlaps).
        return Mono.defer(this::claimWarm)
                .repeatWhenEmpty(looks -> looks.delayElements(LOOK_AGAIN))
                .timeout(config.acquireTimeout(),
                        Mono.error(() -> new AcquireTimeoutException(config.image(), config.acquireTimeout())))
                .doFinally(signal -> pending.decrementAndGet());
    }

    private Mono<PooledPod> onDemand() {
        if (degraded()) {
            return Mono.error(new PoolDegradedException(config.image()));
        }
        // A failed creation is retried until the acquire timeout, unless the pool turns degraded meanwhile.
        return events.podStart(driver.create(config))
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, RETRY_CREATE).filter(error -> !degraded()))
                .timeout(config.acquireTimeout(),
                        Mono.error(() -> new AcquireTimeoutException(config.image(), config.acquireTimeout())))
                .onErrorMap(error -> !(error instanceof AcquireTimeoutException) && degraded(),
                        error -> new PoolDegradedException(config.image()))
                .map(Claim::new);
    }

    @Override
    public boolean degraded() {
        return driver.degraded(config.image());
    }

    @Override
    public PoolMetrics metrics() {
        return new PoolMetrics(pods.warmCount(config.image()), claimed.get(), 0, pending.get(), config.size());
    }

    private final class Claim implements PooledPod {
        private final Pod pod;
        private final AtomicBoolean ended = new AtomicBoolean();

        Claim(Pod pod) {
            this.pod = pod;
            claimed.incrementAndGet();
        }

        @Override
        public Pod pod() {
            return pod;
        }

        /**
         * A taken pod cannot simply be put back: its label already says claimed and other replicas may have seen
         * it so. It is destroyed, and the leader's reconciler replaces it.
         */
        @Override
        public void release() {
            invalidate();
        }

        @Override
        public void invalidate() {
            if (ended.compareAndSet(false, true)) {
                claimed.decrementAndGet();
                driver.delete(pod.id()).subscribe(null, error -> log.warn("Deleting {} failed: {}", pod, error.toString()));
            }
        }

        /** The pod stays: the replica whose runtime it serves deletes it with that runtime. */
        @Override
        public void abandon() {
            if (ended.compareAndSet(false, true)) {
                claimed.decrementAndGet();
            }
        }
    }
}
