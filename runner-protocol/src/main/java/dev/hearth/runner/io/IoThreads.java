package dev.hearth.runner.io;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for blocking process I/O (stdin writers, stdout readers, stderr and log pumps). Each of these may
 * block for the whole life of a process, so they get a thread each from an unbounded cached pool instead of
 * {@code Schedulers.boundedElastic()}, whose small cap (10 × cores) would let long reads starve the writers
 * that unblock them. The number of live threads is bounded by the runner's concurrency cap (about three per
 * execution).
 */
public final class IoThreads {

    private IoThreads() {
    }

    public static ExecutorService newPool(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        return Executors.newCachedThreadPool(factory);
    }
}
