package dev.hearth.pool.runtime;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.registry.RuntimeRegistry;
import dev.hearth.pool.runtime.RuntimeObserver.Release;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The runtimes whose pods this replica holds, by id: the only owner of that map. A runtime enters when its
 * creation succeeds ({@link #hold}) and leaves exactly once, by {@link #end} — which releases what it held: its
 * registry entry (unless whoever ended its lease owns the id now), its lease, and its pod. Thread-safe; every
 * returned {@code Mono} is lazy, so an end built but never subscribed strands nothing.
 */
final class HeldRuntimes {

    private static final Logger log = LoggerFactory.getLogger(HeldRuntimes.class);

    private final Map<String, HeldRuntime> held = new ConcurrentHashMap<>();
    private final RuntimeRegistry registry;
    private final LeaseStore leases;
    private final RuntimeObserver observer;

    HeldRuntimes(RuntimeRegistry registry, LeaseStore leases, RuntimeObserver observer) {
        this.registry = registry;
        this.leases = leases;
        this.observer = observer;
    }

    void hold(HeldRuntime runtime) {
        held.put(runtime.runtimeId(), runtime);
    }

    /** The runtime of this id if this replica holds it, else null. */
    HeldRuntime get(String runtimeId) {
        return held.get(runtimeId);
    }

    /** A snapshot of every held runtime. */
    List<HeldRuntime> all() {
        return List.copyOf(held.values());
    }

    /**
     * Takes back a runtime whose creation failed after it was held: out of the map, marked ended, no other
     * effect (the creation releases what it took). False when something else ended it first.
     */
    boolean withdraw(HeldRuntime runtime) {
        return held.remove(runtime.runtimeId(), runtime) && runtime.markEnded();
    }

    /**
     * Ends the runtime: registry entry (if {@code removeRecord}), lease, pod. {@code removeRecord} is false when
     * the lease is already gone — a delete on another replica, or expiry — since whoever ended it owns what the id
     * means now. A no-op for a runtime not held or already ended.
     */
    Mono<Void> end(String runtimeId, Release reason, boolean removeRecord) {
        return Mono.defer(() -> {
            HeldRuntime runtime = held.remove(runtimeId);
            if (runtime == null || !runtime.markEnded()) {
                return Mono.empty();
            }
            log.info("Ending runtime {} on pod {} ({})", runtimeId, runtime.record().podId(), reason);
            observer.released(runtime.record().image(), reason);
            Mono<?> record = removeRecord ? registry.remove(runtimeId) : Mono.empty();
            Runnable destroy = runtime.pod()::invalidate;
            return record
                    .then(leases.release(runtime.lease()))
                    .onErrorResume(error -> {
                        log.warn("Releasing runtime {} failed; its lease will expire: {}", runtimeId, error.toString());
                        return Mono.empty();
                    })
                    // The pod goes before the end completes (whoever awaits the end finds it gone); idempotent.
                    .then(Mono.fromRunnable(destroy))
                    .doOnCancel(destroy)
                    .then();
        });
    }

    /**
     * Ends the runtime another replica removed from the registry, if this replica holds it on {@code podId} (not a
     * newer runtime of the same id); its record is gone already. Out of the map at once, before the lease is
     * released: the deleter waits for that release, so once it answers, this replica no longer serves the runtime.
     */
    Mono<Void> removedElsewhere(String runtimeId, String podId) {
        return Mono.defer(() -> {
            HeldRuntime runtime = held.get(runtimeId);
            return runtime != null && runtime.record().podId().equals(podId)
                    ? end(runtimeId, Release.DELETED, false)
                    : Mono.empty();
        });
    }

    /** Ends every held runtime whose pod is {@code podId}: it died under it. */
    Mono<Void> podEnded(String podId) {
        return Flux.fromIterable(all())
                .filter(runtime -> runtime.record().podId().equals(podId))
                .flatMap(runtime -> end(runtime.runtimeId(), Release.POD_ENDED, true))
                .then();
    }

    /** Held runtimes with no execution in flight and no local activity since {@code cutoff}. */
    List<HeldRuntime> idleSince(Instant cutoff) {
        return held.values().stream().filter(runtime -> runtime.idleSince(cutoff)).toList();
    }

    /** Ends every held runtime; for shutdown. */
    Mono<Void> endAll(Release reason) {
        return Flux.fromIterable(all())
                .flatMap(runtime -> end(runtime.runtimeId(), reason, true))
                .then();
    }
}
