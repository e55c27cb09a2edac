package dev.hearth.pool;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.hearth.pool.PoolObserver.Acquisition;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;

/**
 * One acquisition of an {@link ImagePool}, as the subscription its subscriber holds. It ends exactly once: delivered,
 * refused, timed out, or cancelled; a compare-and-set on its state picks the one that counts, so a pod handed over
 * at the very instant the subscriber cancels is never lost — whichever comes second sees the first, and a pod
 * arriving after the cancel goes back to the pool. (A {@code Mono.create} sink drops a value offered while a cancel
 * is under way, and the pod would stay handed out for good.) Every end reports to the pool's observer, then signals
 * the subscriber, never under the pool's lock. Which of the queue's paths may end it is decided by the pool's
 * book: only the path that took the waiter out of the queue.
 *
 * <p>Once delivered, the pod is the subscriber's to end: a subscriber that drops a value it receives after its own
 * cancellation (as a plain lambda subscriber does) must not be used where cancellation can race the hand-over.
 */
final class PoolWaiter implements org.reactivestreams.Subscription {

    private static final int WAITING = 0;
    private static final int ENDED = 1;

    private final CoreSubscriber<? super PooledPod> actual;
    private final PoolEvents events;
    private final long started = System.nanoTime();
    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final AtomicInteger requested = new AtomicInteger();
    private volatile Runnable onFirstRequest;
    private volatile Predicate<PoolWaiter> leave;
    private volatile Runnable left;
    private volatile Disposable expiry;
    /** Set when a decision left it waiting: a pod it gets later was not warm when it arrived. */
    private volatile boolean waited;

    PoolWaiter(CoreSubscriber<? super PooledPod> actual, PoolEvents events) {
        this.actual = actual;
        this.events = events;
    }

    /** The subscriber's first request makes it arrive at the pool: nothing is taken before demand. */
    void onFirstRequest(Runnable arrive) {
        this.onFirstRequest = arrive;
    }

    @Override
    public void request(long n) {
        if (Operators.validate(n) && requested.getAndIncrement() == 0) {
            onFirstRequest.run();
        }
    }

    /**
     * Says how the waiter leaves the pool's queue: {@code leave} (the book taking it out) is true only for the path
     * that removed it, and {@code left} lets the pool decide again afterwards. Set before it arrives, so that a cancel
     * racing the arrival finds it.
     */
    void leaveBy(Predicate<PoolWaiter> leave, Runnable left) {
        this.leave = leave;
        this.left = left;
    }

    /** Arms the acquire timeout; a no-op for a waiter that has ended already. */
    void armTimeout(Scheduler timer, PoolConfig config) {
        Disposable scheduled = timer.schedule(() -> {
            if (leave.test(this)) {
                fail(new AcquireTimeoutException(config.image(), config.acquireTimeout()));
                left.run();
            }
        }, config.acquireTimeout().toMillis(), TimeUnit.MILLISECONDS);
        expiry = scheduled;
        if (ended()) {
            scheduled.dispose();
        }
    }

    /** Whether it has ended (delivered, refused, timed out or cancelled). */
    boolean ended() {
        return state.get() == ENDED;
    }

    void queued() {
        waited = true;
    }

    /**
     * Hands the pod over, built by {@code handout}. If the subscriber has cancelled already, the pod goes back to the
     * pool untouched instead.
     */
    void deliver(Pod pod, Function<Pod, PooledPod> handout) {
        PooledPod pooled = handout.apply(pod);
        if (!end()) {
            pooled.release();
            return;
        }
        events.acquired(waited ? Acquisition.CREATED : Acquisition.WARM, started);
        actual.onNext(pooled);
        actual.onComplete();
    }

    void fail(Throwable error) {
        if (end()) {
            events.acquired(Acquisition.of(error), started);
            actual.onError(error);
        }
    }

    /** The subscriber went away: out of the queue if still in it; a pod already on its way comes back. */
    @Override
    public void cancel() {
        if (!end()) {
            return;
        }
        events.acquired(Acquisition.CANCELLED, started);
        Predicate<PoolWaiter> queue = leave;
        if (queue != null && queue.test(this)) {
            left.run();
        }
    }

    /** True for the one end that counts. */
    private boolean end() {
        if (!state.compareAndSet(WAITING, ENDED)) {
            return false;
        }
        Disposable scheduled = expiry;
        if (scheduled != null) {
            scheduled.dispose();
        }
        return true;
    }
}
