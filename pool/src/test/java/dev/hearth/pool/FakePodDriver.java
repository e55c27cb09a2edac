package dev.hearth.pool;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A driver for unit tests of pool bookkeeping: pods are plain records, created at once (or failing, on
 * demand). Integration tests use the real local driver.
 */
final class FakePodDriver implements PodDriver {

    final Set<String> alive = ConcurrentHashMap.newKeySet();
    final List<String> deleted = new CopyOnWriteArrayList<>();
    final AtomicInteger created = new AtomicInteger();
    volatile int failNext;
    /** When set, the next creation answers with this instead (then it is cleared): a creation still in flight. */
    volatile Mono<Pod> pending;
    private final Sinks.Many<String> terminations = Sinks.many().multicast().directBestEffort();

    @Override
    public Mono<Pod> create(PoolConfig pool) {
        return Mono.defer(() -> {
            Mono<Pod> held = pending;
            if (held != null) {
                pending = null;
                return held.doOnNext(pod -> alive.add(pod.id()));
            }
            synchronized (this) {
                if (failNext > 0) {
                    failNext--;
                    return Mono.error(new IllegalStateException("injected creation failure"));
                }
            }
            String id = "pod-" + created.incrementAndGet();
            alive.add(id);
            return Mono.just(new Pod(id, pool.image(), "127.0.0.1", 1, "secret", Instant.now()));
        });
    }

    @Override
    public Mono<Void> delete(String podId) {
        return Mono.fromRunnable(() -> {
            alive.remove(podId);
            deleted.add(podId);
        });
    }

    @Override
    public Flux<String> terminations() {
        return terminations.asFlux();
    }

    void kill(String podId) {
        alive.remove(podId);
        terminations.tryEmitNext(podId);
    }

    @Override
    public void close() {
        alive.clear();
    }
}
