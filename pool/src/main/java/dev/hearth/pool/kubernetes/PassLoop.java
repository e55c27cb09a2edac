package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Periodic;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Runs a pass whenever asked ({@link #trigger()}) and every {@code period} as a safety net ({@link Periodic}), one
 * pass at a time, forever, until closed. Triggers coalesce: however many arrive while a pass runs, they make one more
 * pass after it, not one each — a burst of pod events costs two passes, not a queue of them. A pass that errors,
 * throws, or outlasts the period does not stop the loop: it is logged and the next trigger or tick runs a fresh pass.
 * A pass must end (its API calls are bounded by their timeouts and retries); one that never did would hold the loop.
 *
 * <p>Threading: {@link #trigger()} never blocks and never runs the pass on the caller's thread (an informer's event
 * thread, a timer); passes start on {@code scheduler}. Serialized by a work-in-progress counter, as
 * {@code ImagePool}'s drain: the counter is non-zero exactly while a pass runs or is about to.
 */
final class PassLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PassLoop.class);

    private final String name;
    private final Supplier<Mono<?>> pass;
    private final Scheduler scheduler;
    /** Triggers not yet served by a finished pass; non-zero while a pass runs. */
    private final AtomicInteger wip = new AtomicInteger();
    /** Emits once, on close: cancels a pass in progress. */
    private final Sinks.One<Boolean> closing = Sinks.one();
    private final Periodic safetyNet;
    private volatile boolean closed;

    /** Starts the safety net; the first pass runs at the first trigger or one {@code period} from now. */
    PassLoop(String name, Duration period, Supplier<Mono<?>> pass, Scheduler scheduler) {
        this.name = name;
        this.pass = Objects.requireNonNull(pass, "pass");
        this.scheduler = scheduler;
        this.safetyNet = Periodic.start(name, period, () -> Mono.fromRunnable(this::trigger), scheduler);
    }

    /** Asks for a pass: one starts now, or, if one is running, one more runs after it (shared with later asks). */
    void trigger() {
        if (wip.getAndIncrement() == 0) {
            run();
        }
    }

    /** Stops the safety net and cancels a pass in progress; triggers after this do nothing. Idempotent. */
    @Override
    public void close() {
        closed = true;
        safetyNet.close();
        closing.tryEmitValue(true);
    }

    /** Runs one pass for every trigger counted so far; called only by whoever made the counter leave zero. */
    private void run() {
        if (closed) {
            return;
        }
        int served = wip.get();
        Mono.defer(pass::get)
                .then()
                .onErrorResume(error -> {
                    log.warn("{} failed; the next pass retries: {}", name, error.toString());
                    return Mono.empty();
                })
                .subscribeOn(scheduler)
                .takeUntilOther(closing.asMono())
                .subscribe(null, error -> log.error("{} pass ended badly", name, error), () -> ran(served));
    }

    private void ran(int served) {
        if (wip.addAndGet(-served) != 0) {
            run();
        }
    }
}
