package dev.hearth.pool.runtime;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Pools;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.pool.registry.RuntimeRegistry;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Runtime creations in flight on this replica, by id: the only owner of that map. A creation reserves the id in
 * the registry, then runs {@link RuntimeStarter} detached from whoever started it: other callers for the same
 * id join it, and it runs to its end even if its first caller goes away (the runtime it makes is reaped when
 * idle). Callers on other replicas find the reservation and wait for the record to turn ready.
 */
final class Creations {

    private static final Logger log = LoggerFactory.getLogger(Creations.class);

    private final Map<String, Mono<HeldRuntime>> inFlight = new ConcurrentHashMap<>();
    private final Pools pools;
    private final RuntimeRegistry registry;
    private final RuntimeStarter starter;
    private final RuntimeLookup lookup;
    private final HeldRuntimes held;
    private final RuntimesConfig config;
    private final Clock clock;
    private final Scheduler timer;

    Creations(Pools pools, RuntimeRegistry registry, RuntimeStarter starter, RuntimeLookup lookup, HeldRuntimes held,
              RuntimesConfig config, Clock clock, Scheduler timer) {
        this.pools = pools;
        this.registry = registry;
        this.starter = starter;
        this.lookup = lookup;
        this.held = held;
        this.config = config;
        this.clock = clock;
        this.timer = timer;
    }

    /** A new runtime; {@link RuntimeConflictException} when the id exists or is being created. */
    Mono<HeldRuntime> create(RuntimeSpec spec, SourceArchive source) {
        return Mono.defer(() -> {
            RuntimeRecord pending = pending(spec);
            long reserving = System.nanoTime();
            return registry.reserve(pending)
                    .flatMap(existing -> Mono.<HeldRuntime>error(
                            new RuntimeConflictException(spec.runtimeId(), !existing.ready())))
                    .switchIfEmpty(Mono.defer(() -> startShared(pending, spec, source, millisSince(reserving))));
        });
    }

    /**
     * The runtime, once created: by this call, by a creation on this replica it joins, or by another replica it
     * waits for. A caller that did not run the creation itself gets {@link CreationTimings#NONE}.
     */
    Mono<ResolvedRuntime> createOrJoin(RuntimeCreation creation) {
        return Mono.defer(() -> {
            String runtimeId = creation.spec().runtimeId();
            Mono<HeldRuntime> local = inFlight.get(runtimeId);
            if (local != null) {
                return local.map(joined -> ResolvedRuntime.ready(joined.record()));
            }
            RuntimeRecord pending = pending(creation.spec());
            long reserving = System.nanoTime();
            return registry.reserve(pending)
                    .flatMap(existing -> existing(existing, creation))
                    .switchIfEmpty(Mono.defer(() -> startShared(pending, creation.spec(), creation.source(),
                                    millisSince(reserving))
                            .map(made -> new ResolvedRuntime(made.record(), made.timings(), 0))));
        });
    }

    /** The id was reserved already: a ready runtime (with a live lease), or a creation to wait for. */
    private Mono<ResolvedRuntime> existing(RuntimeRecord existing, RuntimeCreation creation) {
        if (existing.ready()) {
            // A ready record whose lease is gone is removed by the lookup: create it anew.
            return lookup.withLiveLease(existing)
                    .map(ResolvedRuntime::ready)
                    .switchIfEmpty(Mono.defer(() -> createOrJoin(creation)));
        }
        Mono<HeldRuntime> local = inFlight.get(existing.runtimeId());
        return local != null
                ? local.map(joined -> ResolvedRuntime.ready(joined.record()))
                : awaitElsewhere(existing.runtimeId());
    }

    /** Waits for a creation another replica runs, looking at the registry every {@code creationPoll}. */
    private Mono<ResolvedRuntime> awaitElsewhere(String runtimeId) {
        return Mono.defer(() -> registry.get(runtimeId))
                .switchIfEmpty(Mono.error(() -> new RuntimeNotFoundException("Runtime no longer exists.")))
                .filter(RuntimeRecord::ready)
                .repeatWhenEmpty(Integer.MAX_VALUE, ticks -> ticks.delayElements(config.creationPoll(), timer))
                .flatMap(lookup::withLiveLease)
                .switchIfEmpty(Mono.error(() -> new RuntimeNotFoundException("Runtime no longer exists.")))
                .map(ResolvedRuntime::ready);
    }

    /** Starts the creation detached from its caller, so that others may join it. */
    private Mono<HeldRuntime> startShared(RuntimeRecord pending, RuntimeSpec spec, SourceArchive source,
                                          double reserveMs) {
        AtomicReference<Mono<HeldRuntime>> self = new AtomicReference<>();
        Mono<HeldRuntime> creation = starter.start(pending, spec, source, reserveMs)
                .doFinally(signal -> inFlight.remove(spec.runtimeId(), self.get()))
                .cache();
        self.set(creation);
        inFlight.put(spec.runtimeId(), creation);
        creation.subscribe(null, error -> log.debug("Creating runtime {} failed: {}", spec.runtimeId(), error.toString()));
        return creation;
    }

    /**
     * Removes reservations this replica made that no creation of it works on: a reservation whose write reached
     * the store after its caller gave up on it (a timeout during a store outage), or whose creation died with an
     * error its clean-up could not record. Only reservations older than {@code orphanAge} count, so a creation
     * between reserving and starting is never touched; nor is a build, which stays pending while it runs.
     */
    Mono<Void> removeOrphanedReservations() {
        return Mono.defer(() -> {
            Instant cutoff = clock.instant().minus(config.orphanAge());
            return registry.list()
                    .filter(record -> !record.ready() && config.replicaId().equals(record.holder()))
                    .filter(record -> record.created().isBefore(cutoff) && !inFlight.containsKey(record.runtimeId()))
                    // A build in progress is pending too, and held.
                    .filter(record -> held.get(record.runtimeId()) == null)
                    .concatMap(record -> {
                        log.info("Removing orphaned reservation of runtime {}", record.runtimeId());
                        return registry.remove(record.runtimeId());
                    })
                    .then();
        });
    }

    private static double millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000.0;
    }

    private RuntimeRecord pending(RuntimeSpec spec) {
        pools.forRuntime(spec.poolRequest());
        return RuntimeRecord.pending(spec.runtimeId(), spec.image(), spec.version(), config.replicaId(),
                clock.instant());
    }
}
