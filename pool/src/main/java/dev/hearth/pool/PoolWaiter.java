package dev.hearth.pool;

import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.hearth.pool.PoolObserver.Acquisition;
import reactor.core.Disposable;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * An acquisition in an {@link ImagePool}'s pending queue. Every end (delivered, refused, timed out,
 * cancelled while queued) happens exactly once and outside the pool's lock: it reports to the pool's observer,
 * then signals the subscriber. Which path ends it is decided by the pool's book: only the path that took the
 * waiter out of the queue may end it.
 */
final class PoolWaiter {

    private final MonoSink<PooledPod> sink;
    private final PoolEvents events;
    private final long started = System.nanoTime();
    /** Set when a decision left it waiting: a pod it gets later was not warm when it arrived. */
    private volatile boolean waited;

    PoolWaiter(MonoSink<PooledPod> sink, PoolEvents events) {
        this.sink = sink;
        this.events = events;
    }

    /**
     * Arms the acquire timeout and the subscriber's cancellation; each ends the waiter only if {@code leave}
     * (the book taking it out of the queue) says this path is the one that removed it.
     */
    void await(Scheduler timer, PoolConfig config, Predicate<PoolWaiter> leave, Runnable left) {
        Disposable expiry = timer.schedule(() -> {
            if (leave.test(this)) {
                fail(new AcquireTimeoutException(config.image(), config.acquireTimeout()));
                left.run();
            }
        }, config.acquireTimeout().toMillis(), TimeUnit.MILLISECONDS);
        sink.onCancel(() -> {
            if (leave.test(this)) {
                events.acquired(Acquisition.CANCELLED, started);
                left.run();
            }
        });
        sink.onDispose(expiry);
    }

    void queued() {
        waited = true;
    }

    /**
     * Hands the pod over. If the subscriber left at this very instant, the sink discards it and the
     * acquisition's discard hook gives it back to the pool.
     */
    void deliver(PooledPod pod) {
        events.acquired(waited ? Acquisition.CREATED : Acquisition.WARM, started);
        sink.success(pod);
    }

    void fail(Throwable error) {
        events.acquired(Acquisition.of(error), started);
        sink.error(error);
    }
}
