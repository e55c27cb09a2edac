package dev.hearth.gateway.execution;

import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.ThreadExecutorMap;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Where an execution's timers run: on the event loop serving it, when the caller is one (every execution is), else on
 * {@link Schedulers#parallel()} (as Reactor's own timers, so virtual time in tests still replaces them).
 *
 * <p>Why: an execution sets two timers that almost never fire (the wait for its runtime, and the runner's head). On the
 * parallel scheduler each is a locked queue insert, a wake-up of that scheduler's thread on the other core, and a
 * locked removal when the execution ends in time. On the loop that serves the execution, setting and cancelling one
 * is a queue operation on the same thread, and an expiry runs in order with the execution's other signals.
 */
final class LoopTimers {

    /** One scheduler per loop thread, made on first use; never disposed (that would shut the loop down). */
    private static final FastThreadLocal<Scheduler> LOOP = new FastThreadLocal<>() {
        @Override
        protected Scheduler initialValue() {
            EventExecutor loop = ThreadExecutorMap.currentExecutor();
            return loop == null ? null : Schedulers.fromExecutorService(loop, "event-loop");
        }
    };

    private LoopTimers() {
    }

    /** The scheduler for timers set on this thread: its event loop's, or the parallel scheduler off a loop. */
    static Scheduler here() {
        if (ThreadExecutorMap.currentExecutor() == null) {
            return Schedulers.parallel();
        }
        return LOOP.get();
    }

    /** {@code task} after {@code nanos}, on {@link #here()}. */
    static reactor.core.Disposable schedule(Runnable task, long nanos) {
        return here().schedule(task, nanos, TimeUnit.NANOSECONDS);
    }
}
