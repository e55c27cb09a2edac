package dev.hearth.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The pods of one runtime image: keeps {@code size} warm pods ready, hands one to each acquisition, and
 * replenishes the moment a pod is claimed or dies (DESIGN.md, "Lifecycle of a pod").
 *
 * <p>Concurrency: all state lives behind this object's monitor, held only for bookkeeping (never across
 * I/O or a subscriber's callback). Pod creation and deletion run through the {@link PodDriver}, which is
 * non-blocking.
 *
 * <p>Accounting: {@code warm + claimed + creating <= max}. The pool creates pods while
 * {@code warm + creating < size + pending}, so a burst of acquisitions beyond the warm pods creates pods
 * on demand up to {@code max}; with {@code size: 0} every acquisition creates its own pod.
 */
public final class ImagePool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ImagePool.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final PoolConfig config;
    private final PodDriver driver;
    private final Scheduler timer;

    private final Deque<Pod> warm = new ArrayDeque<>();
    private final Deque<Waiter> pending = new ArrayDeque<>();
    private int claimed;
    private int creating;
    private int consecutiveFailures;
    private boolean retryScheduled;
    private boolean closed;

    public ImagePool(PoolConfig config, PodDriver driver) {
        this(config, driver, Schedulers.parallel());
    }

    ImagePool(PoolConfig config, PodDriver driver, Scheduler timer) {
        this.config = config;
        this.driver = driver;
        this.timer = timer;
    }

    public PoolConfig config() {
        return config;
    }

    /** Starts creating the warm pods. Idempotent. */
    public void warmup() {
        replenish();
    }

    /**
     * Takes a warm pod, waiting up to the pool's acquire timeout in the pending queue. Lazy: nothing is
     * taken before subscription. Fails with {@link PoolExhaustedException} at once when the pending queue
     * is full and with {@link AcquireTimeoutException} when the wait runs out. Cancelling a waiting
     * acquisition leaves the queue; a pod handed over at the moment of cancellation goes back to warm.
     */
    public Mono<PooledPod> acquire() {
        return Mono.<PooledPod>create(this::enqueue)
                // A pod handed to an acquisition cancelled at that very moment is discarded by the sink:
                // it is untouched, so it goes back to warm.
                .doOnDiscard(Claim.class, Claim::returnUnused)
                .doFinally(signal -> replenish());
    }

    /** The pod with this id, if the pool holds it warm: such a pod died and is dropped. */
    public void podTerminated(String podId) {
        synchronized (this) {
            warm.removeIf(pod -> pod.id().equals(podId));
        }
        replenish();
    }

    public synchronized PoolMetrics metrics() {
        return new PoolMetrics(warm.size(), claimed, creating, pending.size(), config.size());
    }

    /** Stops replenishing and destroys the warm pods; claimed pods are destroyed as they are released. */
    @Override
    public void close() {
        Deque<Pod> toDelete;
        Deque<Waiter> toFail;
        synchronized (this) {
            closed = true;
            toDelete = new ArrayDeque<>(warm);
            warm.clear();
            toFail = new ArrayDeque<>(pending);
            pending.clear();
        }
        toFail.forEach(waiter -> waiter.fail(new IllegalStateException("pool '" + config.image() + "' is closed")));
        toDelete.forEach(this::destroy);
    }

    private void enqueue(MonoSink<PooledPod> sink) {
        Waiter waiter = new Waiter(sink);
        Optional<Pod> ready;
        synchronized (this) {
            if (closed) {
                sink.error(new IllegalStateException("pool '" + config.image() + "' is closed"));
                return;
            }
            ready = Optional.ofNullable(warm.pollFirst());
            if (ready.isPresent()) {
                claimed++;
            } else if (pending.size() >= config.maxPending()) {
                sink.error(new PoolExhaustedException(config.image(), config.maxPending()));
                return;
            } else {
                pending.addLast(waiter);
            }
        }
        if (ready.isPresent()) {
            sink.success(new Claim(ready.get()));
            return;
        }
        Disposable timeout = timer.schedule(() -> expire(waiter), config.acquireTimeout().toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        sink.onCancel(() -> cancel(waiter));
        sink.onDispose(timeout);
        replenish();
    }

    private void expire(Waiter waiter) {
        boolean removed;
        synchronized (this) {
            removed = pending.remove(waiter);
        }
        if (removed) {
            waiter.fail(new AcquireTimeoutException(config.image(), config.acquireTimeout()));
        }
    }

    private void cancel(Waiter waiter) {
        synchronized (this) {
            pending.remove(waiter);
        }
    }

    /** Hands warm pods to waiters and starts the creations the accounting calls for. */
    private void replenish() {
        int toCreate;
        Deque<Waiter> served = new ArrayDeque<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            while (!warm.isEmpty() && !pending.isEmpty()) {
                Waiter waiter = pending.pollFirst();
                waiter.assigned = warm.pollFirst();
                claimed++;
                served.add(waiter);
            }
            int wanted = config.size() + pending.size() - warm.size() - creating;
            int room = config.max() - (warm.size() + claimed + creating);
            toCreate = retryScheduled ? 0 : Math.max(0, Math.min(wanted, room));
            creating += toCreate;
        }
        served.forEach(Waiter::deliver);
        for (int i = 0; i < toCreate; i++) {
            createOne();
        }
    }

    private void createOne() {
        driver.create(config).subscribe(this::created, this::creationFailed);
    }

    private void created(Pod pod) {
        boolean keep;
        synchronized (this) {
            creating--;
            consecutiveFailures = 0;
            keep = !closed;
            if (keep) {
                warm.addLast(pod);
            }
        }
        if (!keep) {
            destroy(pod);
        }
        replenish();
    }

    private void creationFailed(Throwable error) {
        Duration backoff;
        synchronized (this) {
            creating--;
            consecutiveFailures++;
            backoff = backoff(consecutiveFailures);
            retryScheduled = true;
        }
        log.warn("Creating a pod for pool '{}' failed ({} in a row); retrying in {} ms: {}", config.image(),
                consecutiveFailures, backoff.toMillis(), error.toString());
        timer.schedule(this::retryAfterBackoff, backoff.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void retryAfterBackoff() {
        synchronized (this) {
            retryScheduled = false;
        }
        replenish();
    }

    private static Duration backoff(int failures) {
        long millis = 100L << Math.min(failures - 1, 10);
        return millis > MAX_BACKOFF.toMillis() ? MAX_BACKOFF : Duration.ofMillis(millis);
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

    /** An acquisition waiting in the pending queue. */
    private final class Waiter {
        private final MonoSink<PooledPod> sink;
        private Pod assigned;

        Waiter(MonoSink<PooledPod> sink) {
            this.sink = sink;
        }

        void deliver() {
            sink.success(new Claim(assigned));
        }

        void fail(Throwable error) {
            sink.error(error);
        }
    }

    /** A claimed pod; released exactly once. */
    private final class Claim implements PooledPod {
        private final Pod pod;
        private final AtomicBoolean released = new AtomicBoolean();

        Claim(Pod pod) {
            this.pod = pod;
        }

        @Override
        public Pod pod() {
            return pod;
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                released(pod);
            }
        }

        void returnUnused() {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            boolean keep;
            synchronized (ImagePool.this) {
                claimed--;
                keep = !closed;
                if (keep) {
                    warm.addFirst(pod);
                }
            }
            if (keep) {
                replenish();
            } else {
                destroy(pod);
            }
        }
    }
}
