package dev.hearth.pool.kubernetes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/**
 * A list's elements in random order, each drawn only when requested: a Fisher–Yates shuffle carried out one step per
 * element, so a claim that wins with the first warm pod it tries draws one pod, not a shuffle of the whole pool.
 * Nothing is queued ahead: when the consumer cancels, no element is left for a discard hook to walk (a {@code Flux}
 * over a sized list hands every element not yet emitted to the hook, and {@link ClusterImagePool#acquire()} has one:
 * with 5,000 warm pods that walk cost a claim about a millisecond, bench/k8s-scale.sh).
 */
final class RandomOrder {

    private RandomOrder() {
    }

    /** Lazy: copies {@code items} on subscription (references only) and draws on each request. */
    static <T> Flux<T> of(List<T> items) {
        return Flux.defer(() -> {
            List<T> left = new ArrayList<>(items);
            return Flux.generate(sink -> draw(left, sink));
        });
    }

    private static <T> void draw(List<T> left, SynchronousSink<T> sink) {
        if (left.isEmpty()) {
            sink.complete();
            return;
        }
        int last = left.size() - 1;
        Collections.swap(left, ThreadLocalRandom.current().nextInt(left.size()), last);
        sink.next(left.remove(last));
    }
}
