package dev.hearth.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import dev.hearth.pool.accounting.PoolAccounting;

/**
 * The pods of one runtime image: keeps {@code size} warm pods ready, hands one to each acquisition, and
 * replenishes the moment a pod is claimed or dies (DESIGN.md, "Lifecycle of a pod").
 *
 * <p>Concurrency: all state lives behind this object's monitor, held only for bookkeeping (never across
 * I/O, a subscriber's callback or a {@link PoolObserver} call). Pod creation and deletion run through the
 * {@link PodDriver}, which is non-blocking.
 *
 * <p>Accounting: locally {@code warm + claimed + creating <= max}. Waiters beyond the warm pods get pods
 * created on demand, up to {@code max}; with {@code size: 0} every acquisition creates its own pod. Warm
 * pods are counted by a {@link PoolAccounting} across replicas: a replica creates a warm pod only when the
 * accounting grants it, so N replicas keep {@code size} warm pods together, not N × {@code size}.
 */
public final class ImagePool implements PodPool {

    private static final Logger log = LoggerFactory.getLogger(ImagePool.class);

    private final PoolConfig config;
    private final PodDriver driver;
    private final WarmCounts counts;
    private final PoolEvents events;
    private final Scheduler timer;

    private final Deque<Pod> warm = new ArrayDeque<>();
    private final Deque<PoolWaiter> pending = new ArrayDeque<>();
    private int claimed;
    /** Warm-pod creations granted by the accounting. */
    private int creatingWarm;
    /** Creations for waiters beyond the warm pods; never counted as warm unless nobody takes them. */
    private int creatingOnDemand;
    /** Warm pods asked of the accounting and not answered yet: they hold room toward {@code max} already. */
    private int reserving;
    private final CreationBackoff backoff = new CreationBackoff();
    private boolean retryScheduled;
    private boolean closed;

    public ImagePool(PoolConfig config, PodDriver driver, PoolAccounting accounting, PoolObserver observer) {
        this(config, driver, accounting, observer, Schedulers.parallel());
    }

    ImagePool(PoolConfig config, PodDriver driver, PoolAccounting accounting, Scheduler timer) {
        this(config, driver, accounting, PoolObserver.NONE, timer);
    }

    ImagePool(PoolConfig config, PodDriver driver, PoolAccounting accounting, PoolObserver observer, Scheduler timer) {
        this.config = config;
        this.driver = driver;
        this.counts = new WarmCounts(accounting, config.image());
        this.events = new PoolEvents(observer, config.image());
        this.timer = timer;
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    /** Starts creating the warm pods. Idempotent. */
    @Override
    public void warmup() {
        replenish();
    }

    /**
     * Takes a warm pod, waiting up to the pool's acquire timeout in the pending queue. Lazy: nothing is
     * taken before subscription. Fails with {@link PoolExhaustedException} at once when the pending queue
     * is full, with {@link PoolDegradedException} at once when no pod is warm and the driver cannot create
     * one, and with {@link AcquireTimeoutException} when the wait runs out. Cancelling a waiting
     * acquisition leaves the queue; a pod handed over at the moment of cancellation goes back to warm.
     */
    @Override
    public Mono<PooledPod> acquire() {
        return Mono.<PooledPod>create(this::enqueue)
                // A pod handed to an acquisition cancelled at that very moment is discarded by the sink:
                // it is untouched, so it goes back to warm.
                .doOnDiscard(PoolClaim.class, PoolClaim::returnUnused)
                .doFinally(signal -> replenish());
    }

    /** The pod with this id, if the pool holds it warm, died: it is dropped, deleted, and replaced. */
    @Override
    public void podTerminated(String podId) {
        Pod dead;
        synchronized (this) {
            dead = warm.stream().filter(pod -> pod.id().equals(podId)).findFirst().orElse(null);
            if (dead != null) {
                warm.remove(dead);
            }
        }
        if (dead != null) {
            counts.gone();
            events.reaped(PoolObserver.Reap.ENDED, 1);
            // What is left of it (a Failed pod object) goes too, so nothing stays orphaned.
            destroy(dead);
        }
        replenish();
    }

    /**
     * Periodic duty: restates this replica's warm count (healing lost or skewed counts), retries a fill the
     * accounting could not grant before (another replica died, or the store was down), and gives back a
     * local warm pod while the deployment holds more than {@code size}.
     */
    @Override
    public Mono<Void> maintain() {
        int localWarm;
        synchronized (this) {
            localWarm = warm.size();
        }
        return counts.report(localWarm)
                .then(counts.global())
                .doOnNext(this::trimSurplus)
                .then(Mono.fromRunnable(this::replenish));
    }

    private void trimSurplus(int globalWarm) {
        Pod surplus = null;
        synchronized (this) {
            if (globalWarm > config.size() && pending.isEmpty()) {
                surplus = warm.pollLast();
            }
        }
        if (surplus != null) {
            counts.gone();
            events.reaped(PoolObserver.Reap.SURPLUS, 1);
            destroy(surplus);
        }
    }

    /** Whether the driver cannot create pods for this pool now; for health and metrics. */
    @Override
    public boolean degraded() {
        return driver.degraded(config.image());
    }

    @Override
    public synchronized PoolMetrics metrics() {
        return new PoolMetrics(warm.size(), claimed, creatingWarm + creatingOnDemand, pending.size(), config.size());
    }

    /** Stops replenishing and destroys the warm pods; claimed pods are destroyed as they are released. */
    @Override
    public void close() {
        Deque<Pod> toDelete;
        Deque<PoolWaiter> toFail;
        synchronized (this) {
            closed = true;
            toDelete = new ArrayDeque<>(warm);
            warm.clear();
            toFail = new ArrayDeque<>(pending);
            pending.clear();
        }
        toFail.forEach(waiter -> waiter.fail(closedError()));
        toDelete.forEach(pod -> {
            counts.gone();
            destroy(pod);
        });
    }

    private void enqueue(MonoSink<PooledPod> sink) {
        PoolWaiter waiter = events.waiter(sink);
        Pod ready;
        RuntimeException refused;
        synchronized (this) {
            ready = closed ? null : warm.pollFirst();
            refused = ready == null ? refusal() : null;
            if (ready != null) {
                claimed++;
            } else if (refused == null) {
                pending.addLast(waiter);
            }
        }
        // Like every end of a waiter, the observer and the subscriber's callbacks run outside the monitor.
        if (refused != null) {
            waiter.fail(refused);
        } else if (ready != null) {
            counts.gone();
            waiter.deliverWarm(claim(ready));
        } else {
            waiter.await(timer, config, this::unqueue);
            replenish();
        }
    }

    /** Why an acquisition finding no warm pod may not queue, or null; degraded fails fast (waiting would time out). */
    private RuntimeException refusal() {
        if (closed) {
            return closedError();
        }
        if (driver.degraded(config.image())) {
            return new PoolDegradedException(config.image());
        }
        return pending.size() >= config.maxPending() ? new PoolExhaustedException(config.image(), config.maxPending()) : null;
    }

    private IllegalStateException closedError() {
        return new IllegalStateException("pool '" + config.image() + "' is closed");
    }

    /** True for the one path (timeout, cancel) that takes the waiter out of the queue. */
    private synchronized boolean unqueue(PoolWaiter waiter) {
        return pending.remove(waiter);
    }

    /** Hands warm pods to waiters and starts the creations the waiters and the accounting call for. */
    private void replenish() {
        int onDemand;
        int warmWanted = 0;
        Deque<PoolWaiter> served = new ArrayDeque<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            while (!warm.isEmpty() && !pending.isEmpty()) {
                PoolWaiter waiter = pending.pollFirst();
                waiter.assign(warm.pollFirst());
                claimed++;
                served.add(waiter);
            }
            int room = config.max() - (warm.size() + claimed + creatingWarm + creatingOnDemand + reserving);
            // Pods already being created serve waiters as they arrive, warm ones included.
            int uncovered = pending.size() - creatingOnDemand - creatingWarm;
            onDemand = retryScheduled ? 0 : Math.max(0, Math.min(uncovered, room));
            creatingOnDemand += onDemand;
            room -= onDemand;
            if (reserving == 0 && !retryScheduled) {
                warmWanted = Math.max(0, Math.min(config.size() - warm.size() - creatingWarm, room));
                reserving = warmWanted;
            }
        }
        served.forEach(waiter -> {
            counts.gone();
            waiter.deliver(claim(waiter.assigned()));
        });
        for (int i = 0; i < onDemand; i++) {
            createOne(false);
        }
        if (warmWanted > 0) {
            counts.reserve(config.size(), warmWanted)
                    .subscribe(this::reserved, this::reservationFailed);
        }
    }

    private void reserved(int granted) {
        boolean create;
        synchronized (this) {
            reserving = 0;
            create = !closed;
            if (create) {
                creatingWarm += granted;
            }
        }
        for (int i = 0; i < granted; i++) {
            if (create) {
                createOne(true);
            } else {
                counts.creationEnded(false);
            }
        }
    }

    private void reservationFailed(Throwable error) {
        synchronized (this) {
            reserving = 0;
        }
        // No warm pods are created while the accounting cannot answer; maintain() tries again.
        log.warn("Reserving warm pods of pool '{}' failed: {}", config.image(), error.toString());
    }

    private void createOne(boolean reservedWarm) {
        events.podStart(driver.create(config))
                .subscribe(pod -> created(pod, reservedWarm), error -> creationFailed(error, reservedWarm));
    }

    private void created(Pod pod, boolean reservedWarm) {
        boolean keep;
        synchronized (this) {
            if (reservedWarm) {
                creatingWarm--;
            } else {
                creatingOnDemand--;
            }
            backoff.succeeded();
            keep = !closed;
            if (keep) {
                warm.addLast(pod);
            }
        }
        if (reservedWarm) {
            counts.creationEnded(keep);
        } else if (keep) {
            counts.added();
        }
        if (!keep) {
            destroy(pod);
        }
        replenish();
    }

    private void creationFailed(Throwable error, boolean reservedWarm) {
        if (reservedWarm) {
            counts.creationEnded(false);
        }
        Duration wait;
        int failures;
        synchronized (this) {
            if (reservedWarm) {
                creatingWarm--;
            } else {
                creatingOnDemand--;
            }
            wait = backoff.failed();
            failures = backoff.failuresInARow();
            retryScheduled = true;
        }
        log.warn("Creating a pod for pool '{}' failed ({} in a row); retrying in {} ms: {}", config.image(),
                failures, wait.toMillis(), error.toString());
        if (driver.degraded(config.image())) {
            failWaiters(new PoolDegradedException(config.image()));
        }
        timer.schedule(this::retryAfterBackoff, wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Fails every waiting acquisition: no pod is coming for them soon. */
    private void failWaiters(RuntimeException error) {
        Deque<PoolWaiter> failed;
        synchronized (this) {
            failed = new ArrayDeque<>(pending);
            pending.clear();
        }
        failed.forEach(waiter -> waiter.fail(error));
    }

    private void retryAfterBackoff() {
        synchronized (this) {
            retryScheduled = false;
        }
        replenish();
    }

    /** Hands the pod out; the driver labels it claimed (bookkeeping only: the claim itself is the lease). */
    private PoolClaim claim(Pod pod) {
        driver.markClaimed(pod).subscribe(null, error ->
                log.debug("Marking {} claimed failed (bookkeeping only): {}", pod, error.toString()));
        return new PoolClaim(pod, this::released, this::returned);
    }

    /** An unused claimed pod comes back: warm again, unless the pool closed meanwhile. */
    private void returned(Pod pod) {
        boolean keep;
        synchronized (this) {
            claimed--;
            keep = !closed;
            if (keep) {
                warm.addFirst(pod);
            }
        }
        if (keep) {
            counts.added();
            replenish();
        } else {
            destroy(pod);
        }
    }

    private void released(Pod pod) {
        synchronized (this) {
            claimed--;
        }
        destroy(pod);
        replenish();
    }

    private void destroy(Pod pod) {
        driver.delete(pod).subscribe(null, error -> log.warn("Deleting {} failed: {}", pod, error.toString()));
    }
}
