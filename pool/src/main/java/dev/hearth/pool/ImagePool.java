package dev.hearth.pool;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * This replica's own pods of one image: keeps {@code size} warm pods ready, hands one to each acquisition, and
 * replenishes the moment a pod is handed out or dies (DESIGN.md, "Lifecycle of a pod"). For drivers whose pods
 * only this replica can reach (the local driver); each replica keeps its own {@code size}. Pods shared by
 * several replicas are a cluster's business ({@code ClusterImagePool}).
 *
 * <p>One decision point, as reactor-pool's {@code SimpleDequePool}: every event records its change in the
 * {@link PoolBook} and calls {@link #drain()}; the book decides under its lock, and the plan (hand pods over,
 * refuse waiters, destroy, create) is carried out outside it. Drains are serialized by a work-in-progress
 * counter: an event arriving during a drain (a driver that completes synchronously, a pod returned from a
 * subscriber's callback) makes the running drain loop once more instead of recursing.
 */
public final class ImagePool implements PodPool, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ImagePool.class);

    private final PoolConfig config;
    private final PodDriver driver;
    private final PoolEvents events;
    private final Scheduler timer;
    private final PoolBook book;
    private final AtomicInteger drains = new AtomicInteger();
    private volatile Disposable terminations;

    public ImagePool(PoolConfig config, PodDriver driver, PoolObserver observer) {
        this(config, driver, observer, Schedulers.parallel());
    }

    /** @param timer runs acquire timeouts and creation backoff; virtual time in tests */
    public ImagePool(PoolConfig config, PodDriver driver, PoolObserver observer, Scheduler timer) {
        this.config = config;
        this.driver = driver;
        this.events = new PoolEvents(observer, config.image());
        this.timer = timer;
        this.book = new PoolBook(config, () -> driver.degraded(config.image()));
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    /** Starts filling the pool and watching its pods die. Idempotent. */
    public synchronized void start() {
        if (terminations == null) {
            terminations = driver.terminations().subscribe(this::podEnded,
                    error -> log.error("Pod terminations of pool '{}' stopped", config.image(), error));
        }
        drain();
    }

    /**
     * Takes a warm pod, waiting up to the acquire timeout in the pending queue (see {@link PodPool#acquire()}).
     * The acquisition arrives at the pool on its subscriber's first request. A pod handed to an acquisition cancelled
     * at that very moment goes back to warm, untouched ({@link PoolWaiter}).
     */
    @Override
    public Mono<PooledPod> acquire() {
        return new Mono<>() {
            @Override
            public void subscribe(CoreSubscriber<? super PooledPod> actual) {
                PoolWaiter waiter = events.waiter(actual);
                waiter.onFirstRequest(() -> arrive(waiter));
                actual.onSubscribe(waiter);
            }
        };
    }

    @Override
    public boolean degraded() {
        return driver.degraded(config.image());
    }

    @Override
    public PoolMetrics metrics() {
        return book.metrics();
    }

    /** Stops replenishing, refuses waiters and destroys the warm pods; handed-out pods go when they end. */
    @Override
    public void close() {
        Disposable watching = terminations;
        if (watching != null) {
            watching.dispose();
        }
        book.close();
        drain();
    }

    private void arrive(PoolWaiter waiter) {
        waiter.leaveBy(book::left, this::drain);
        switch (book.arrived(waiter)) {
            case CLOSED -> waiter.fail(new IllegalStateException("pool '" + config.image() + "' is closed"));
            case FULL -> waiter.fail(new PoolExhaustedException(config.image(), config.maxPending()));
            case QUEUED -> {
                // Cancelled while arriving: take it back out (if a decision took it first, its pod comes back).
                if (!(waiter.ended() && book.left(waiter))) {
                    waiter.armTimeout(timer, config);
                }
                drain();
            }
        }
    }

    private void podEnded(String podId) {
        if (book.ended(podId)) {
            events.reaped(PoolObserver.Reap.ENDED, 1);
            drain();
        }
    }

    /** Decides and carries out until no event arrived meanwhile. Never recurses, never holds the book's lock. */
    private void drain() {
        if (drains.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            PoolPlan plan = book.decide();
            if (!plan.isEmpty()) {
                carryOut(plan);
            }
            missed = drains.addAndGet(-missed);
        } while (missed != 0);
    }

    private void carryOut(PoolPlan plan) {
        plan.deliveries.forEach(delivery -> delivery.waiter().deliver(delivery.pod(), Handout::new));
        plan.refusals.forEach(refusal -> refusal.waiter().fail(refusal.error()));
        plan.destroy.forEach(this::destroy);
        events.reaped(PoolObserver.Reap.SURPLUS, plan.surplus);
        for (int i = 0; i < plan.create; i++) {
            events.podStart(driver.create(config)).subscribe(this::created, this::creationFailed);
        }
    }

    private void created(Pod pod) {
        book.created(pod);
        drain();
    }

    private void creationFailed(Throwable error) {
        long waitMillis = book.creationFailed().toMillis();
        log.warn("Creating a pod for pool '{}' failed ({} in a row); creating again in {} ms: {}", config.image(),
                book.failuresInARow(), waitMillis, error.toString());
        timer.schedule(() -> {
            book.backoffOver();
            drain();
        }, waitMillis, TimeUnit.MILLISECONDS);
        // Waiters fail at once if the driver turned degraded: no pod is coming for them soon.
        drain();
    }

    private void destroy(Pod pod) {
        driver.delete(pod.id()).subscribe(null, error -> log.warn("Deleting {} failed: {}", pod, error.toString()));
    }

    /** A pod handed out by this pool; its first end counts (see {@link PooledPod}). */
    private final class Handout implements PooledPod {

        private final Pod pod;
        private final AtomicBoolean ended = new AtomicBoolean();

        Handout(Pod pod) {
            this.pod = pod;
        }

        @Override
        public Pod pod() {
            return pod;
        }

        @Override
        public void release() {
            if (ended.compareAndSet(false, true)) {
                book.returned(pod);
                drain();
            }
        }

        @Override
        public void invalidate() {
            if (ended.compareAndSet(false, true)) {
                book.invalidated(pod);
                drain();
            }
        }

        @Override
        public void abandon() {
            if (ended.compareAndSet(false, true)) {
                book.abandoned();
                drain();
            }
        }
    }
}
