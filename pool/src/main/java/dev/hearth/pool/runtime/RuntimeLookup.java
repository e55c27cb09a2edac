package dev.hearth.pool.runtime;

import dev.hearth.pool.StoreUnavailableException;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.pool.registry.RuntimeRegistry;
import dev.hearth.pool.runtime.RuntimeObserver.Release;
import reactor.core.publisher.Mono;

/**
 * Finds runtimes for callers: whether one is ready to serve here and now, and what the registry says of it.
 * Owns no state; it asks the registry (guarded by a circuit breaker where the registry is remote), the lease
 * store and {@link HeldRuntimes}.
 *
 * <p>Failure policy (DESIGN.md, "State across replicas"): when the registry cannot answer, a runtime this
 * replica holds is answered from memory, so it keeps serving until its lease expires; anything else fails
 * closed with {@link StoreUnavailableException}.
 */
final class RuntimeLookup {

    private final HeldRuntimes held;
    private final RuntimeRegistry registry;
    private final LeaseStore leases;

    RuntimeLookup(HeldRuntimes held, RuntimeRegistry registry, LeaseStore leases) {
        this.held = held;
        this.registry = registry;
        this.leases = leases;
    }

    /**
     * The runtime if it is ready to serve executions here and now, else empty: a runtime this replica holds is
     * checked against the registry (deleted elsewhere → ended here at once, not at the next renewal); one
     * another replica holds is served only while its lease is current. One registry read, plus a lease read for
     * another replica's runtime.
     */
    Mono<RuntimeRecord> ready(String runtimeId) {
        return Mono.defer(() -> {
            HeldRuntime runtime = held.get(runtimeId);
            return runtime != null ? stillRegistered(runtime) : readyElsewhere(runtimeId);
        });
    }

    /** The registry's record, or, when the registry cannot answer, the record of a runtime held here. */
    Mono<RuntimeRecord> get(String runtimeId) {
        return registry.get(runtimeId)
                .onErrorResume(StoreUnavailableException.class, unavailable -> {
                    HeldRuntime runtime = held.get(runtimeId);
                    return runtime != null ? Mono.just(runtime.record()) : Mono.error(unavailable);
                });
    }

    /**
     * A ready record of a runtime some replica holds, served only while its lease is current: a record whose
     * lease expired (its holder died) is removed here and answers empty, never a half-state.
     */
    Mono<RuntimeRecord> withLiveLease(RuntimeRecord record) {
        return leases.current(record.podId())
                .filter(lease -> lease.token() == record.leaseToken())
                .map(lease -> record)
                .switchIfEmpty(Mono.defer(() -> registry.remove(record.runtimeId()).then(Mono.empty())));
    }

    private Mono<RuntimeRecord> readyElsewhere(String runtimeId) {
        return registry.get(runtimeId)
                .filter(RuntimeRecord::ready)
                .flatMap(this::withLiveLease);
    }

    private Mono<RuntimeRecord> stillRegistered(HeldRuntime runtime) {
        String runtimeId = runtime.runtimeId();
        if (!runtime.record().ready()) {
            // Held while it builds: not a runtime to execute on.
            return Mono.empty();
        }
        return registry.get(runtimeId)
                .filter(record -> record.podId().equals(runtime.record().podId()))
                .map(record -> runtime.record())
                // Deleted by another replica, which released the lease: end it here, leave the id to them.
                .switchIfEmpty(Mono.defer(() -> held.end(runtimeId, Release.DELETED, false).then(Mono.empty())))
                .onErrorResume(StoreUnavailableException.class, unavailable -> Mono.just(runtime.record()));
    }
}
