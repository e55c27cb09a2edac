package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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
import dev.hearth.pool.PoolEvents;
import dev.hearth.pool.PoolExhaustedException;
import dev.hearth.pool.PoolMetrics;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.PoolObserver.Acquisition;
import dev.hearth.pool.PooledPod;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * An image pool on Kubernetes shared by every replica (DESIGN.md: reconciliation on one replica, acquiring on all).
 * The warm pods are kept by the elected leader's {@link ClusterReconciliation}; any replica takes one from its cache
 * with {@link ClusterPods#take} (resourceVersion-guarded: of concurrent takers on any replicas exactly one wins). A
 * take changes the pod's labels, which the leader sees at once and answers with a replacement: no timer. An
 * acquisition that finds no warm pod waits, up to the acquire timeout and within the pending bound, and looks again
 * whenever the cache shows a pod of the pool turning warm. {@code size: 0} pools create a Job per acquisition instead.
 */
public final class ClusterImagePool implements PodPool {

    private static final Logger log = LoggerFactory.getLogger(ClusterImagePool.class);
    /** A waiting acquisition looks again this long after its last cue even without a pod turning warm. */
    static final Duration LOOK_AGAIN = Duration.ofMillis(500);
    private static final Duration RETRY_CREATE = Duration.ofMillis(200);
    private static final Object NOW = "now";

    private final PoolConfig config;
    private final ClusterPods pods;
    private final PodDriver driver;
    private final PoolEvents events;
    private final Duration lookAgain;
    private final Scheduler timer;
    private final AtomicInteger claimed = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger creatingJobs = new AtomicInteger();

    /**
     * @param pods   the cache warm pods are taken from
     * @param driver creates a size-0 pool's Job pods and deletes pods
     */
    public ClusterImagePool(PoolConfig config, ClusterPods pods, PodDriver driver, PoolObserver observer) {
        this(config, pods, driver, observer, LOOK_AGAIN);
    }

    /** @param lookAgain the fallback look of a waiting acquisition (tests set it long to see the cue work alone) */
    ClusterImagePool(PoolConfig config, ClusterPods pods, PodDriver driver, PoolObserver observer, Duration lookAgain) {
        this.config = config;
        this.pods = pods;
        this.driver = driver;
        this.events = new PoolEvents(observer, config.image());
        this.lookAgain = lookAgain;
        this.timer = Schedulers.parallel();
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    /**
     * Reports each acquisition: a pod taken at once is warm; one waited for (or its own Job) is created. A pod handed
     * over at the instant the acquisition is cancelled is discarded by an operator and destroyed ({@link Claim#release}).
     */
    @Override
    public Mono<PooledPod> acquire() {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            if (config.size() == 0) {
                return events.acquisition(onDemand(), Acquisition.CREATED, started);
            }
            return events.acquisition(takeWarm(), Acquisition.WARM, started)
                    .switchIfEmpty(Mono.defer(() -> events.acquisition(await(), Acquisition.CREATED, started)));
        }).doOnDiscard(PooledPod.class, PooledPod::release);
    }

    @Override
    public boolean degraded() {
        return driver.degraded(config.image());
    }

    /**
     * From memory, never blocking. {@code warm}: the pool's warm pods in the cluster as this replica's cache shows
     * them — the same shared pods on every replica, so not to be summed over replicas. {@code claimed}: pods this
     * replica holds. {@code creating}: the pool's pods the cache shows starting (the leader creates warm pods, every
     * replica sees them alike) plus, for a size-0 pool, the Job pods this replica is creating for its acquisitions.
     * {@code pending}: this replica's waiting acquisitions. A size-0 pool counts no warm or starting pod: those of its
     * image belong to the image's warm pool, beside which it serves runtimes that warm pool's limits do not cover.
     */
    @Override
    public PoolMetrics metrics() {
        String image = config.image();
        if (config.size() == 0) {
            return new PoolMetrics(0, claimed.get(), creatingJobs.get(), pending.get(), 0);
        }
        return new PoolMetrics(pods.warmCount(image), claimed.get(), pods.startingCount(image) + creatingJobs.get(),
                pending.get(), config.size());
    }

    /** One look at the cached warm pods, in random order so that replicas rarely race for the same pod. */
    private Mono<PooledPod> takeWarm() {
        return pods.warmPodsShuffled(config.image())
                .concatMap(this::take)
                .next();
    }

    /**
     * Takes the pod for this pool's holder, or completes empty when another replica was first. A take that errors
     * (the API failing past its retries) counts as lost: the next pod, or the next look, is tried; had the patch
     * applied after all, the pod is an abandoned claim the leader reaps. A take cancelled while its patch is in flight
     * runs to its end, and a pod it won is deleted: cancelling an acquisition takes nothing.
     */
    private Mono<PooledPod> take(Pod pod) {
        return Mono.defer(() -> {
            CompletableFuture<Boolean> inFlight = pods.take(pod)
                    .onErrorResume(error -> {
                        log.debug("Taking {} failed; trying another: {}", pod, error.toString());
                        return Mono.just(false);
                    })
                    .toFuture();
            AtomicBoolean answered = new AtomicBoolean();
            return Mono.fromFuture(inFlight, true)
                    .doOnNext(won -> answered.set(true))
                    .doOnCancel(() -> {
                        if (!answered.get()) {
                            inFlight.thenAccept(won -> destroyIf(won, pod));
                        }
                    })
                    .filter(won -> won)
                    .map(won -> new Claim(pod));
        });
    }

    private Mono<PooledPod> await() {
        if (degraded()) {
            return Mono.error(new PoolDegradedException(config.image()));
        }
        if (pending.incrementAndGet() > config.maxPending()) {
            pending.decrementAndGet();
            return Mono.error(new PoolExhaustedException(config.image(), config.maxPending()));
        }
        return lookUntilTaken()
                .timeout(config.acquireTimeout(), Mono.error(() -> new AcquireTimeoutException(config.image(),
                        config.acquireTimeout())), timer)
                .doFinally(signal -> pending.decrementAndGet());
    }

    /**
     * Looks until a pod is taken, one look at a time. Cues to look: now; a pod of the pool turning warm in the cache;
     * {@code lookAgain} passing since the last fallback (a change the cache missed, a take lost to another replica).
     * While a look runs, {@code onBackpressureLatest} keeps at most one cue: cues never pile up, however slow a look
     * is (its takes go to the API), and one that came during a look is not lost.
     */
    private Mono<PooledPod> lookUntilTaken() {
        Flux<Object> fallback = Mono.delay(lookAgain, timer).<Object>map(tick -> NOW).repeat();
        return Flux.merge(pods.warmed(config.image()), fallback, Mono.just(NOW))
                .onBackpressureLatest()
                .concatMap(cue -> takeWarm(), 0)
                .next();
    }

    private Mono<PooledPod> onDemand() {
        if (degraded()) {
            return Mono.error(new PoolDegradedException(config.image()));
        }
        // A failed creation is retried until the acquire timeout, unless the pool turns degraded meanwhile or the
        // kubelet refuses the pod's spec, which a new pod of the same template would not change.
        return events.podStart(driver.create(config))
                .<PooledPod>map(Claim::new)
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, RETRY_CREATE).filter(error -> !degraded() && !refused(error)))
                .timeout(config.acquireTimeout(), Mono.error(() -> new AcquireTimeoutException(config.image(),
                        config.acquireTimeout())), timer)
                .onErrorMap(error -> !(error instanceof AcquireTimeoutException) && !refused(error) && degraded(),
                        error -> new PoolDegradedException(config.image()))
                .onErrorMap(ClusterImagePool::refused, error -> new PoolDegradedException(config.image(),
                        error.getMessage()))
                .doOnSubscribe(subscription -> creatingJobs.incrementAndGet())
                .doFinally(signal -> creatingJobs.decrementAndGet());
    }

    private static boolean refused(Throwable error) {
        return error instanceof PodStartException start && start.refused();
    }

    private void destroyIf(boolean won, Pod pod) {
        if (won) {
            destroy(pod);
        }
    }

    private void destroy(Pod pod) {
        driver.delete(pod.id()).subscribe(null, error -> log.warn("Deleting {} failed: {}", pod, error.toString()));
    }

    /** A pod this replica took; its first end counts (see {@link PooledPod}). */
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
         * A taken pod cannot simply be put back: its label already says claimed and other replicas may have seen it
         * so. It is destroyed, and the leader replaces it.
         */
        @Override
        public void release() {
            invalidate();
        }

        @Override
        public void invalidate() {
            if (ended.compareAndSet(false, true)) {
                claimed.decrementAndGet();
                destroy(pod);
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
