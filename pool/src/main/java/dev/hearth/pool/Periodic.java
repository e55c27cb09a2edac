package dev.hearth.pool;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A background duty run again and again, forever, until closed: wait {@code every}, run the task to its end,
 * wait again. Fixed delay, not fixed rate: a run slower than {@code every} delays the next instead of piling ticks
 * up (a {@code Flux.interval} feeding a {@code concatMap} fails with "Could not emit tick" when one run outlasts the
 * period, and the loop is gone for good). Any error, signalled or thrown by the task, is logged and the loop goes on.
 * The task runs on {@code timer}'s thread: it must not block.
 */
public final class Periodic implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Periodic.class);

    private final Disposable loop;

    private Periodic(Disposable loop) {
        this.loop = loop;
    }

    /** Starts the loop on the parallel scheduler; the first run is {@code every} from now. */
    public static Periodic start(String name, Duration every, Supplier<Mono<?>> task) {
        return start(name, every, task, Schedulers.parallel());
    }

    public static Periodic start(String name, Duration every, Supplier<Mono<?>> task, Scheduler timer) {
        return start(name, every, every, task, timer);
    }

    /**
     * As {@link #start(String, Duration, Supplier, Scheduler)}, with the first run {@code first} from now (zero:
     * at once, still on {@code timer}), e.g. a campaign that should not wait a whole period to begin.
     */
    public static Periodic start(String name, Duration first, Duration every, Supplier<Mono<?>> task, Scheduler timer) {
        Objects.requireNonNull(task, "task");
        if (every == null || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException(name + ": period must be positive, but was " + every);
        }
        if (first == null || first.isNegative()) {
            throw new IllegalArgumentException(name + ": first delay must be >= 0, but was " + first);
        }
        Mono<Void> run = Mono.defer(() -> task.get().then())
                .onErrorResume(error -> {
                    log.warn("{} failed; the next run retries: {}", name, error.toString());
                    return Mono.empty();
                });
        Disposable loop = Mono.delay(first, timer)
                .then(run.then(Mono.delay(every, timer)).repeat().then())
                .subscribe(null, error -> log.error("{} stopped", name, error));
        return new Periodic(loop);
    }

    /** Whether the loop still runs: true until closed. */
    public boolean running() {
        return !loop.isDisposed();
    }

    /** Stops the loop; a run in progress is cancelled. Idempotent. */
    @Override
    public void close() {
        loop.dispose();
    }
}
