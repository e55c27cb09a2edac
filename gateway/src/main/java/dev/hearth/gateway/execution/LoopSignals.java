package dev.hearth.gateway.execution;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.util.concurrent.EventExecutor;

/**
 * Runs a subscriber's signals on its connection's event loop, in the order they came: at once when they come on the
 * loop and none is still waiting there, else queued behind those that are. A publisher may signal from another loop
 * (the runner's connection need not share the caller's), and per Reactive Streams its signals are serial, so this
 * needs no lock: only the count of signals still queued is shared. One per subscriber.
 */
final class LoopSignals {

    private final EventExecutor loop;
    private final AtomicInteger queued = new AtomicInteger();

    LoopSignals(EventExecutor loop) {
        this.loop = loop;
    }

    void run(Runnable signal) {
        if (queued.get() == 0 && loop.inEventLoop()) {
            signal.run();
            return;
        }
        queued.incrementAndGet();
        loop.execute(() -> {
            queued.decrementAndGet();
            signal.run();
        });
    }
}
