package dev.hearth.pool.registry;

import java.time.Instant;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * runtimeId → {@link RuntimeRecord}, shared by every replica (in memory for one, Redis for several).
 * All methods are lazy; {@link #reserve} is atomic.
 */
public interface RuntimeRegistry {

    /** Adds a record only if no runtime of that id exists; emits whether it was added. */
    Mono<Boolean> reserve(RuntimeRecord record);

    /** Replaces the record of an existing runtime; emits false when the runtime was removed meanwhile. */
    Mono<Boolean> update(RuntimeRecord record);

    Mono<RuntimeRecord> get(String runtimeId);

    Flux<RuntimeRecord> list();

    /** Removes the runtime; emits the removed record, empty when there was none. */
    Mono<RuntimeRecord> remove(String runtimeId);

    /** Records activity on the runtime, for the idle reaper. */
    Mono<Void> touch(String runtimeId, Instant when);
}
