package dev.hearth.pool;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.hearth.pool.PoolObserver.Acquisition;
import dev.hearth.pool.PoolObserver.PodStart;
import dev.hearth.pool.PoolObserver.Reap;
import reactor.core.publisher.Mono;
import reactor.core.CoreSubscriber;

/**
 * One pool's side of its {@link PoolObserver}: the image bound once, and the timing of an acquisition or a pod
 * start wrapped around the {@code Mono} that does it, so that pool classes add one call per event.
 */
public final class PoolEvents {

    private final PoolObserver observer;
    private final String image;

    public PoolEvents(PoolObserver observer, String image) {
        this.observer = observer;
        this.image = image;
    }

    /**
     * Times {@code creation} from subscription until the pod is warm ({@link PodStart#READY}), or the creation
     * fails or is cancelled (e.g. by its caller's timeout), both {@link PodStart#FAILED}: every started creation
     * is recorded exactly once. Each subscription (a retry) is a creation of its own.
     */
    public Mono<Pod> podStart(Mono<Pod> creation) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            AtomicBoolean ended = new AtomicBoolean();
            return creation
                    .doOnNext(pod -> podStarted(ended, PodStart.READY, started))
                    .doOnError(error -> podStarted(ended, PodStart.FAILED, started))
                    .doOnCancel(() -> podStarted(ended, PodStart.FAILED, started));
        });
    }

    private void podStarted(AtomicBoolean ended, PodStart outcome, long started) {
        if (ended.compareAndSet(false, true)) {
            observer.podStarted(image, outcome, System.nanoTime() - started);
        }
    }

    /**
     * Times an acquisition from subscription: a pod counts as {@code outcome}, an error by its type, a
     * cancellation as {@link Acquisition#CANCELLED}. Empty completion is not an end: the caller goes on.
     */
    public Mono<PooledPod> acquisition(Mono<PooledPod> acquire, Acquisition outcome, long started) {
        return Mono.defer(() -> {
            AtomicBoolean ended = new AtomicBoolean();
            return acquire
                    .doOnNext(claim -> acquired(ended, outcome, started))
                    .doOnError(error -> acquired(ended, Acquisition.of(error), started))
                    .doOnCancel(() -> acquired(ended, Acquisition.CANCELLED, started));
        });
    }

    private void acquired(AtomicBoolean ended, Acquisition outcome, long started) {
        if (ended.compareAndSet(false, true)) {
            acquired(outcome, started);
        }
    }

    /** A waiter for {@link ImagePool}'s pending queue, reporting its own end. */
    PoolWaiter waiter(CoreSubscriber<? super PooledPod> subscriber) {
        return new PoolWaiter(subscriber, this);
    }

    void acquired(Acquisition outcome, long started) {
        observer.acquired(image, outcome, System.nanoTime() - started);
    }

    public void reaped(Reap reason, int count) {
        if (count > 0) {
            observer.podsReaped(reason, count);
        }
    }
}
