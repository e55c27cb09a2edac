package dev.hearth.pool;

import reactor.core.publisher.MonoSink;

/**
 * An acquisition waiting in an {@link ImagePool}'s pending queue. The pool assigns it a pod under its
 * monitor, then delivers outside it (a subscriber's callback never runs under the pool's lock).
 */
final class PoolWaiter {

    private final MonoSink<PooledPod> sink;
    private Pod assigned;

    PoolWaiter(MonoSink<PooledPod> sink) {
        this.sink = sink;
    }

    void assign(Pod pod) {
        this.assigned = pod;
    }

    Pod assigned() {
        return assigned;
    }

    void deliver(PooledPod claim) {
        sink.success(claim);
    }

    void fail(Throwable error) {
        sink.error(error);
    }
}
