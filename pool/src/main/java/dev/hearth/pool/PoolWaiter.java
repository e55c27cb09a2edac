package dev.hearth.pool;

import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.hearth.pool.PoolObserver.Acquisition;
import reactor.core.Disposable;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * An acquisition waiting in an {@link ImagePool}'s pending queue. The pool assigns it a pod under its
 * monitor, then delivers outside it. Every end (delivered, failed, timed out, cancelled while still queued)
 * happens exactly once and outside the pool's monitor: it reports to the pool's observer, then signals the
 * subscriber, and neither may run under the pool's lock.
 */
final class PoolWaiter {

    private final MonoSink<PooledPod> sink;
    private final PoolEvents events;
    private final long started;
    private Pod assigned;

    PoolWaiter(MonoSink<PooledPod> sink, PoolEvents events, long started) {
        this.sink = sink;
        this.events = events;
        this.started = started;
    }

    /**
     * Waits in the queue it was just added to: at the pool's acquire timeout it fails, and if its subscriber
     * leaves it is cancelled, each only if {@code unqueue} (the pool taking it out of its queue) says this
     * path is the one that removed it.
     */
    void await(Scheduler timer, PoolConfig config, Predicate<PoolWaiter> unqueue) {
        Disposable expiry = timer.schedule(() -> expire(config, unqueue), config.acquireTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        sink.onCancel(() -> leave(unqueue));
        sink.onDispose(expiry);
    }

    private void expire(PoolConfig config, Predicate<PoolWaiter> unqueue) {
        if (unqueue.test(this)) {
            fail(new AcquireTimeoutException(config.image(), config.acquireTimeout()));
        }
    }

    private void leave(Predicate<PoolWaiter> unqueue) {
        if (unqueue.test(this)) {
            cancelled();
        }
    }

    void assign(Pod pod) {
        this.assigned = pod;
    }

    Pod assigned() {
        return assigned;
    }

    /** A pod that was warm when the acquisition arrived. */
    void deliverWarm(PooledPod claim) {
        events.acquired(Acquisition.WARM, started);
        sink.success(claim);
    }

    /** A pod that became warm while the acquisition waited. */
    void deliver(PooledPod claim) {
        events.acquired(Acquisition.CREATED, started);
        sink.success(claim);
    }

    void fail(Throwable error) {
        events.acquired(Acquisition.of(error), started);
        sink.error(error);
    }

    /** Its subscriber went away while it was queued. */
    void cancelled() {
        events.acquired(Acquisition.CANCELLED, started);
    }
}
