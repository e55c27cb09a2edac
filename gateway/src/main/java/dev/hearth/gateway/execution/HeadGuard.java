package dev.hearth.gateway.execution;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Function;
import java.util.function.Supplier;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Fails a stream whose first element does not arrive within a limit; once it has, the stream takes as long as it
 * takes. Replaces {@code timeout(firstTimeout, item -> Mono.never())}.
 *
 * <p>Why not Reactor's {@code timeout}: an element that reaches it after its subscriber cancelled is dropped with
 * {@code onNextDropped}, which does not discard. An execution's elements hold the runner's buffers, arrive on the
 * runner connection's event loop and are cancelled from the client's: when a client left mid-stream, that race lost a
 * retained chunk about once in thirty cancelled streams (the suite's leak guard caught it). Here an element that
 * arrives after a cancel or after the limit is discarded through the subscriber's context, where the execution's
 * discard hooks release it.
 *
 * <p>Signals stay serial: the timer errors only while nothing has arrived (one compare-and-set decides between the
 * first element and the timer), and after it no upstream signal passes.
 */
final class HeadGuard<T> implements CoreSubscriber<T>, Subscription {

    private static final int WAITING = 0;
    private static final int STARTED = 1;
    private static final int EXPIRED = 2;
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<HeadGuard> STATE =
            AtomicIntegerFieldUpdater.newUpdater(HeadGuard.class, "state");

    private final CoreSubscriber<? super T> actual;
    private final Duration limit;
    private final Supplier<? extends Throwable> expired;
    private volatile int state;
    private volatile boolean cancelled;
    private Subscription upstream;
    private volatile Disposable timer;

    private HeadGuard(CoreSubscriber<? super T> actual, Duration limit, Supplier<? extends Throwable> expired) {
        this.actual = actual;
        this.limit = limit;
        this.expired = expired;
    }

    /** {@code source}, failing with {@code expired} when its first element is not in within {@code limit}. */
    static <T> Flux<T> firstWithin(Flux<T> source, Duration limit, Supplier<? extends Throwable> expired) {
        Function<? super Publisher<T>, ? extends Publisher<T>> guard =
                Operators.<T, T>lift((scannable, subscriber) -> new HeadGuard<>(subscriber, limit, expired));
        return Flux.from(guard.apply(source));
    }

    @Override
    public Context currentContext() {
        return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (!Operators.validate(upstream, s)) {
            return;
        }
        upstream = s;
        actual.onSubscribe(this);
        // After onSubscribe, so that an early expiry never signals before it. On the execution's own loop (LoopTimers).
        timer = LoopTimers.schedule(this::expire, limit.toNanos());
        // A head or a cancel that came during actual.onSubscribe found no timer to stop: stop it now. (Both fields are
        // volatile, so either that signal saw this timer or this check sees its state.)
        if (state != WAITING || cancelled) {
            stopTimer();
        }
    }

    @Override
    public void onNext(T element) {
        if (cancelled || !started()) {
            Operators.onDiscard(element, actual.currentContext());
            return;
        }
        actual.onNext(element);
    }

    @Override
    public void onError(Throwable error) {
        if (!started()) {
            Operators.onErrorDropped(error, actual.currentContext());
            return;
        }
        actual.onError(error);
    }

    @Override
    public void onComplete() {
        if (started()) {
            actual.onComplete();
        }
    }

    @Override
    public void request(long n) {
        upstream.request(n);
    }

    @Override
    public void cancel() {
        cancelled = true;
        stopTimer();
        upstream.cancel();
    }

    /** True once a signal has beaten the timer (and stops it); false when the timer fired first. */
    private boolean started() {
        int now = state;
        if (now == STARTED) {
            return true;
        }
        if (now == WAITING && STATE.compareAndSet(this, WAITING, STARTED)) {
            stopTimer();
            return true;
        }
        return false;
    }

    private void expire() {
        if (STATE.compareAndSet(this, WAITING, EXPIRED)) {
            upstream.cancel();
            if (!cancelled) {
                actual.onError(expired.get());
            }
        }
    }

    private void stopTimer() {
        Disposable scheduled = timer;
        if (scheduled != null) {
            scheduled.dispose();
        }
    }
}
