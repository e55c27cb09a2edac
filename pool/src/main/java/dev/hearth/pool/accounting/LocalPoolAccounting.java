package dev.hearth.pool.accounting;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Mono;

/** The accounting of a single replica: its own counts are the global ones. */
public final class LocalPoolAccounting implements PoolAccounting {

    private final Map<String, int[]> counts = new ConcurrentHashMap<>();

    private int[] of(String image) {
        return counts.computeIfAbsent(image, i -> new int[2]);
    }

    @Override
    public Mono<Integer> reserveWarm(String image, int size, int wanted) {
        return Mono.fromCallable(() -> {
            int[] c = of(image);
            synchronized (c) {
                int granted = Math.max(0, Math.min(wanted, size - c[0] - c[1]));
                c[1] += granted;
                return granted;
            }
        });
    }

    @Override
    public Mono<Void> creationEnded(String image, boolean warm) {
        return Mono.fromRunnable(() -> {
            int[] c = of(image);
            synchronized (c) {
                c[1]--;
                if (warm) {
                    c[0]++;
                }
            }
        });
    }

    @Override
    public Mono<Void> warmAdded(String image) {
        return add(image, 1);
    }

    @Override
    public Mono<Void> warmGone(String image) {
        return add(image, -1);
    }

    private Mono<Void> add(String image, int delta) {
        return Mono.fromRunnable(() -> {
            int[] c = of(image);
            synchronized (c) {
                c[0] += delta;
            }
        });
    }

    @Override
    public Mono<Integer> globalWarm(String image) {
        return Mono.fromCallable(() -> {
            int[] c = of(image);
            synchronized (c) {
                return c[0];
            }
        });
    }

    @Override
    public Mono<Void> heartbeat() {
        return Mono.empty();
    }

    @Override
    public Mono<Void> report(String image, int warm) {
        return Mono.fromRunnable(() -> {
            int[] c = of(image);
            synchronized (c) {
                c[0] = warm;
            }
        });
    }
}
