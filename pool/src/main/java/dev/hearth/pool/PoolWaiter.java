package dev.hearth.pool;

import dev.hearth.pool.PoolObserver.Acquisition;
import reactor.core.publisher.MonoSink;

/**
 * An acquisition waiting in an {@link ImagePool}'s pending queue. The pool assigns it a pod under its
 * monitor, then delivers outside it (a subscriber's callback never runs under the pool's lock). It reports
 * its own end to the pool's observer; the pool ends each waiter exactly once (delivered, failed, or cancelled
 * while still queued).
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
