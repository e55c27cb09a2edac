package dev.hearth.pool.registry;

import java.time.Instant;
import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * runtimeId → {@link RuntimeRecord}, shared by every replica (in memory for one, Redis for several).
 * All methods are lazy; {@link #reserve} is atomic.
 */
public interface RuntimeRegistry {

    /**
     * Adds {@code record} only if no runtime of that id exists. Completes empty when it was added; emits the
     * existing record otherwise, so the caller learns in the same step whether to wait for it or use it.
     */
    Mono<RuntimeRecord> reserve(RuntimeRecord record);

    /** Replaces the record of an existing runtime; emits false when the runtime was removed meanwhile. */
    Mono<Boolean> update(RuntimeRecord record);

    Mono<RuntimeRecord> get(String runtimeId);

    Flux<RuntimeRecord> list();

    /** Removes the runtime; emits the removed record, empty when there was none. */
    Mono<RuntimeRecord> remove(String runtimeId);

    /**
     * Records activity on runtimes, for idle reaping and the {@code updated} field: each existing runtime's
     * {@code updated} moves to the given instant if that is later. One batch, one round trip; ids that no
     * longer exist are skipped.
     */
    Mono<Void> touch(Map<String, Instant> activity);

    /**
     * Tells the replica holding {@code removed}, just removed by this one, that its runtime is gone, so it ends it now
     * rather than at its next lease renewal (a holder serves its runtimes from memory, without reading the registry:
     * {@code RuntimeLookup}). Emits whether another replica can have heard it: false when none listens (a registry in
     * memory serves one replica, which holds whatever it deletes). Lazy.
     */
    default Mono<Boolean> announceRemoval(RuntimeRecord removed) {
        return Mono.just(false);
    }

    /** Removals other replicas announced ({@link #announceRemoval}). Hot, from subscription on; none by default. */
    default Flux<Removal> announcedRemovals() {
        return Flux.never();
    }

    /**
     * Whether this replica hears every removal announced now, so a runtime it holds with a current lease can be
     * served from memory. True for a registry of one replica; for a shared one, while its channel is up.
     */
    default boolean hearsRemovals() {
        return true;
    }

    /** A runtime removed by another replica: its id and the pod it ran on. */
    record Removal(String runtimeId, String podId) {
    }
}
