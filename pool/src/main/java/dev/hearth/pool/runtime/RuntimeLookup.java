package dev.hearth.pool.runtime;

import java.time.Clock;

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
    private final Clock clock;

    RuntimeLookup(HeldRuntimes held, RuntimeRegistry registry, LeaseStore leases, Clock clock) {
        this.held = held;
        this.registry = registry;
        this.leases = leases;
        this.clock = clock;
    }

    /**
     * The runtime if it is ready to serve executions here and now, else empty.
     *
     * <p>A runtime this replica holds is served from memory, with no store round trip, while the holder's own view
     * of its lease is current and the registry {@linkplain RuntimeRegistry#hearsRemovals hears removals}. That is
     * safe because the holder owns the record while it holds the lease: nobody else changes it, and the only ways
     * the runtime can end without the holder are (1) a delete on another replica, which announces the removal and
     * waits for the holder to release the lease before it answers (the holder ends the runtime on the
     * announcement, {@link RuntimeMaintenance}), and (2) lease expiry, which the holder sees first: its view of the
     * expiry is taken before each renewal is sent, so it never runs past the store's (with the replicas' and the
     * store's clocks in step, as every expiry check here assumes). Outside that — the lease
     * past its expiry as the holder knows it (renewals failing), or the removals channel down — the record is read
     * again (deleted elsewhere → ended here at once). The one window left: a delete whose announcement the holder
     * missed although its channel looked up, after which the deleter released the lease itself (at most a second
     * later): the holder serves on until its next renewal finds the lease gone (a third of the lease TTL).
     *
     * <p>A runtime another replica holds is served only while its lease is current: one registry read and one
     * lease read.
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
        if (runtime.leaseCurrentAt(clock.instant()) && registry.hearsRemovals()) {
            return Mono.just(runtime.record());
        }
        return registry.get(runtimeId)
                .filter(record -> record.podId().equals(runtime.record().podId()))
                .map(record -> runtime.record())
                // Deleted by another replica, which released the lease: end it here, leave the id to them.
                .switchIfEmpty(Mono.defer(() -> held.end(runtimeId, Release.DELETED, false).then(Mono.empty())))
                .onErrorResume(StoreUnavailableException.class, unavailable -> Mono.just(runtime.record()));
    }
}
