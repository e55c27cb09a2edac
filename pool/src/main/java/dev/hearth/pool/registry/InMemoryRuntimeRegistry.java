package dev.hearth.pool.registry;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The runtime registry of a single replica. */
public final class InMemoryRuntimeRegistry implements RuntimeRegistry {

    private final Map<String, RuntimeRecord> records = new ConcurrentHashMap<>();

    @Override
    public Mono<RuntimeRecord> reserve(RuntimeRecord record) {
        return Mono.fromCallable(() -> records.putIfAbsent(record.runtimeId(), record));
    }

    @Override
    public Mono<Boolean> update(RuntimeRecord record) {
        return Mono.fromCallable(() -> records.computeIfPresent(record.runtimeId(), (id, old) -> record) != null);
    }

    @Override
    public Mono<RuntimeRecord> get(String runtimeId) {
        return Mono.fromCallable(() -> records.get(runtimeId));
    }

    /** In creation order, as Open Runtimes lists its table. */
    @Override
    public Flux<RuntimeRecord> list() {
        return Flux.defer(() -> Flux.fromStream(records.values().stream()
                .sorted(Comparator.comparing(RuntimeRecord::created))));
    }

    @Override
    public Mono<RuntimeRecord> remove(String runtimeId) {
        return Mono.fromCallable(() -> records.remove(runtimeId));
    }

    @Override
    public Mono<Void> touch(Map<String, Instant> activity) {
        return Mono.fromRunnable(() -> activity.forEach((runtimeId, when) -> records.computeIfPresent(runtimeId,
                (id, old) -> old.updated() != null && old.updated().isAfter(when) ? old : old.touched(when))));
    }
}
