package dev.hearth.pool.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.PodPool;
import dev.hearth.pool.Pools;
import dev.hearth.pool.StoreUnavailableException;
import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.pool.registry.RuntimeRegistry;
import dev.hearth.pool.runtime.RuntimeObserver.Release;
import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.client.RunnerTarget;
import dev.hearth.runner.protocol.ExecutionRequest;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The runtimes this replica serves: creating one claims a warm pod, leases it and specializes it;
 * executing streams through the runner client straight to the pod; deleting (or idling, or losing the
 * lease) ends the runtime and destroys its pod. Thread-safe; every method is lazy.
 *
 * <p>Failure policy: a creation that fails at any step releases what it took (registry entry, lease,
 * pod), so a failed runtime leaves nothing behind. A creation runs to its end even if the caller that
 * started it goes away, because executions of the same runtime may be waiting on it; the runtime it
 * makes is then reaped when idle.
 */
public final class Runtimes {

    private static final Logger log = LoggerFactory.getLogger(Runtimes.class);

    private final Pools pools;
    private final LeaseStore leases;
    private final RuntimeRegistry registry;
    private final RunnerClient runners;
    private final RuntimesConfig config;
    private final Clock clock;
    private final RuntimeObserver observer;
    private final Map<String, HeldRuntime> held = new ConcurrentHashMap<>();
    private final Map<String, Mono<RuntimeRecord>> creations = new ConcurrentHashMap<>();
    private final RuntimeStarter starter;
    private static final long STORE_SUSPECT_NANOS = Duration.ofSeconds(1).toNanos();
    private volatile long storeFailedAt = System.nanoTime() - STORE_SUSPECT_NANOS;

    public Runtimes(Pools pools, LeaseStore leases, RuntimeRegistry registry, RunnerClient runners,
                    RuntimesConfig config, Clock clock) {
        this(pools, leases, registry, runners, config, clock, RuntimeObserver.NONE);
    }

    /** @param observer told of lease claims, specializations, renewals and every runtime's end */
    public Runtimes(Pools pools, LeaseStore leases, RuntimeRegistry registry, RunnerClient runners,
                    RuntimesConfig config, Clock clock, RuntimeObserver observer) {
        this.pools = pools;
        this.leases = leases;
        this.registry = registry;
        this.runners = runners;
        this.config = config;
        this.clock = clock;
        this.observer = observer;
        this.starter = new RuntimeStarter(leases, registry, runners, config, clock, held, creations, observer);
    }

    /**
     * Creates a runtime from {@code source} (a cold tar.gz publisher, subscribed once). Errors:
     * {@link RuntimeConflictException} when the id exists, the pool's acquire errors, and
     * {@link RuntimeStartException} when the function cannot be loaded.
     */
    public Mono<RuntimeRecord> create(RuntimeSpec spec, Publisher<ByteBuf> source) {
        return Mono.defer(() -> {
            PodPool pool = pools.forImage(spec.image());
            RuntimeRecord pending = RuntimeRecord.pending(spec.runtimeId(), spec.image(), spec.version(),
                    config.replicaId(), clock.instant());
            return registry.reserve(pending)
                    .flatMap(reserved -> reserved
                            ? starter.startShared(spec, pool, source)
                            : conflict(spec.runtimeId()));
        });
    }

    /**
     * The runtime, created on the fly if it does not exist yet. Concurrent callers for one id share one
     * creation; a caller arriving while another replica or request is creating it waits for that.
     */
    public Mono<RuntimeRecord> getOrCreate(RuntimeSpec spec, Publisher<ByteBuf> source, Duration pollEvery) {
        return registry.get(spec.runtimeId())
                .filter(RuntimeRecord::ready)
                .switchIfEmpty(Mono.defer(() -> joinOrCreate(spec, source, pollEvery)));
    }

    /**
     * The runtime's record from the shared registry. When the store is unreachable, a runtime this replica
     * holds is answered from memory, so it keeps serving (DESIGN.md: held runtimes serve until their leases
     * expire); anything else fails closed.
     */
    public Mono<RuntimeRecord> get(String runtimeId) {
        return Mono.defer(() -> {
            HeldRuntime runtime = held.get(runtimeId);
            if (runtime != null && storeSuspect()) {
                return Mono.just(runtime.record());
            }
            return registry.get(runtimeId)
                    .onErrorResume(StoreUnavailableException.class, unavailable -> heldRecord(runtimeId, unavailable));
        });
    }

    private Mono<RuntimeRecord> heldRecord(String runtimeId, StoreUnavailableException unavailable) {
        storeFailed();
        HeldRuntime runtime = held.get(runtimeId);
        return runtime != null ? Mono.just(runtime.record()) : Mono.error(unavailable);
    }

    /**
     * For a second after the store failed to answer, held runtimes are served from memory without asking
     * it: each question would cost a full command timeout, on every execution, for the whole outage.
     */
    private boolean storeSuspect() {
        return System.nanoTime() - storeFailedAt < STORE_SUSPECT_NANOS;
    }

    private void storeFailed() {
        storeFailedAt = System.nanoTime();
    }

    public Flux<RuntimeRecord> list() {
        return registry.list();
    }

    /**
     * Runs one execution on a ready runtime. The runtime counts as busy (never reaped) from subscription
     * until the event stream terminates or is cancelled.
     */
    public Flux<ExecutionEvent> execute(String runtimeId, ExecutionRequest request, Publisher<ByteBuf> body) {
        return ready(runtimeId)
                .switchIfEmpty(Mono.error(() -> new RuntimeNotFoundException("Runtime not found")))
                .flatMapMany(record -> execute(record, request, body));
    }

    /**
     * Runs one execution on a runtime found by {@link #ready} or {@link #getOrCreate}, without looking it up
     * again: the execution path reads the registry once.
     */
    public Flux<ExecutionEvent> execute(RuntimeRecord record, ExecutionRequest request, Publisher<ByteBuf> body) {
        return executeOn(record, request, body);
    }

    /** Ends the runtime and destroys its pod; {@link RuntimeNotFoundException} when there is none. */
    public Mono<Void> delete(String runtimeId) {
        return registry.remove(runtimeId)
                .switchIfEmpty(Mono.error(() -> new RuntimeNotFoundException("Runtime not found")))
                .flatMap(removed -> held.containsKey(runtimeId)
                        ? endHeld(runtimeId, Release.DELETED)
                        : releaseForeign(removed));
    }

    /**
     * Deleting a runtime another replica holds: its lease is released here, so the holder's next renewal
     * finds it lost and destroys the pod (within a third of the lease TTL).
     */
    private Mono<Void> releaseForeign(RuntimeRecord removed) {
        if (removed.podId().isEmpty()) {
            return Mono.empty();
        }
        return leases.release(new Lease(removed.podId(), removed.holder(), removed.leaseToken(), Instant.EPOCH));
    }

    /** How the runtime's creation went, when this replica created it; {@link CreationTimings#NONE} otherwise. */
    public CreationTimings creationTimings(String runtimeId) {
        HeldRuntime runtime = held.get(runtimeId);
        return runtime == null ? CreationTimings.NONE : runtime.timings();
    }

    /**
     * Removes reservations this replica made that no creation of it is working on: a reservation whose
     * write reached the store after the caller gave up on it (a timeout during a store outage), or whose
     * creation died with an error the cleanup could not record. Only reservations older than
     * {@code minAge} count, so a creation between reserving and starting is never touched.
     */
    Mono<Void> removeOrphanedReservations(Duration minAge) {
        Instant cutoff = clock.instant().minus(minAge);
        return registry.list()
                .filter(record -> !record.ready() && config.replicaId().equals(record.holder()))
                .filter(record -> record.created().isBefore(cutoff) && !creations.containsKey(record.runtimeId()))
                .flatMap(record -> {
                    log.info("Removing orphaned reservation of runtime {}", record.runtimeId());
                    return registry.remove(record.runtimeId());
                })
                .then();
    }

    /**
     * The pod died under a runtime this replica holds: the runtime ends (its executions already failed
     * with a clear error), so that it answers 404 rather than pointing at a dead pod.
     */
    public Mono<Void> podTerminated(String podId) {
        return Flux.fromIterable(List.copyOf(held.values()))
                .filter(runtime -> runtime.record().podId().equals(podId))
                .flatMap(runtime -> endHeld(runtime.record().runtimeId(), Release.POD_ENDED))
                .then();
    }

    /** Runtimes this replica holds; for maintenance. */
    Collection<HeldRuntime> held() {
        return held.values();
    }

    /** Ends a runtime this replica holds: registry entry, lease, pod. Idempotent. */
    Mono<Void> endHeld(String runtimeId, Release reason) {
        return endHeld(runtimeId, reason, true);
    }

    /**
     * Ends a runtime whose lease is gone: destroys the pod but leaves the registry alone, since whoever
     * ended the lease (a delete on another replica, or expiry) owns what the id means now; a stale record
     * is removed by the first replica that finds its lease gone ({@link #withLiveLease}).
     */
    Mono<Void> endLost(String runtimeId, Release reason) {
        return endHeld(runtimeId, reason, false);
    }

    /** Lazy: the runtime leaves {@code held} on subscription, so an unsubscribed end cannot strand its pod. */
    private Mono<Void> endHeld(String runtimeId, Release reason, boolean removeRecord) {
        return Mono.defer(() -> {
            HeldRuntime runtime = held.remove(runtimeId);
            if (runtime == null || !runtime.markEnded()) {
                return Mono.empty();
            }
            log.info("Ending runtime {} on pod {} ({})", runtimeId, runtime.record().podId(), reason);
            observer.released(runtime.record().image(), reason);
            Mono<?> record = removeRecord ? registry.remove(runtimeId) : Mono.empty();
            return record
                    .then(leases.release(runtime.lease()))
                    .onErrorResume(error -> {
                        log.warn("Releasing runtime {} failed; its lease will expire: {}", runtimeId, error.toString());
                        return Mono.empty();
                    })
                    .doFinally(signal -> runtime.pod().release());
        });
    }

    /** Ends every runtime this replica holds; for shutdown. */
    public Mono<Void> endAll() {
        return Flux.fromIterable(List.copyOf(held.keySet()))
                .flatMap(id -> endHeld(id, Release.SHUTDOWN))
                .then();
    }

    Clock clock() {
        return clock;
    }

    RuntimesConfig config() {
        return config;
    }

    LeaseStore leases() {
        return leases;
    }

    RuntimeObserver observer() {
        return observer;
    }

    private Mono<RuntimeRecord> conflict(String runtimeId) {
        return registry.get(runtimeId)
                .map(existing -> !existing.ready())
                .defaultIfEmpty(true)
                .flatMap(pending -> Mono.error(new RuntimeConflictException(runtimeId, pending)));
    }

    private Mono<RuntimeRecord> joinOrCreate(RuntimeSpec spec, Publisher<ByteBuf> source, Duration pollEvery) {
        Mono<RuntimeRecord> local = creations.get(spec.runtimeId());
        if (local != null) {
            return local;
        }
        return create(spec, source)
                .onErrorResume(RuntimeConflictException.class, conflict -> awaitReady(spec.runtimeId(), pollEvery));
    }

    /** Waits for a runtime another request or replica is creating. */
    private Mono<RuntimeRecord> awaitReady(String runtimeId, Duration pollEvery) {
        Mono<RuntimeRecord> local = creations.get(runtimeId);
        if (local != null) {
            return local;
        }
        return registry.get(runtimeId)
                .switchIfEmpty(Mono.error(() -> new RuntimeNotFoundException("Runtime no longer exists.")))
                .flatMap(record -> record.ready()
                        ? Mono.just(record)
                        : Mono.delay(pollEvery).then(Mono.defer(() -> awaitReady(runtimeId, pollEvery))));
    }

    /**
     * The runtime if it is ready to serve executions here and now, else empty: a runtime this replica holds
     * is checked against the registry (deleted elsewhere → ended here); one another replica holds is served
     * only while its lease is current. One registry read, plus a lease read for another replica's runtime.
     */
    public Mono<RuntimeRecord> ready(String runtimeId) {
        return Mono.defer(() -> {
            HeldRuntime runtime = held.get(runtimeId);
            if (runtime != null) {
                return stillRegistered(runtime);
            }
            return registry.get(runtimeId)
                    .filter(RuntimeRecord::ready)
                    .flatMap(this::withLiveLease);
        });
    }

    /**
     * A runtime this replica holds, checked against the registry: if another replica deleted it (the
     * record is gone or names another pod), it ends here at once rather than at the next renewal.
     */
    private Mono<RuntimeRecord> stillRegistered(HeldRuntime runtime) {
        String runtimeId = runtime.record().runtimeId();
        if (storeSuspect()) {
            return Mono.just(runtime.record());
        }
        return registry.get(runtimeId)
                .filter(record -> record.podId().equals(runtime.record().podId()))
                // Deleted by another replica.
                .switchIfEmpty(Mono.defer(() -> endLost(runtimeId, Release.DELETED)
                        .then(Mono.empty())))
                .onErrorResume(StoreUnavailableException.class, unavailable -> {
                    storeFailed();
                    return Mono.just(runtime.record());
                });
    }

    /**
     * A runtime held by another replica is served only while its lease is current: a record whose lease
     * expired (its holder died) is removed here and answers 404, never a half-state.
     */
    private Mono<RuntimeRecord> withLiveLease(RuntimeRecord record) {
        return leases.current(record.podId())
                .filter(lease -> lease.token() == record.leaseToken())
                .map(lease -> record)
                .switchIfEmpty(Mono.defer(() -> registry.remove(record.runtimeId()).then(Mono.empty())));
    }

    private Flux<ExecutionEvent> executeOn(RuntimeRecord record, ExecutionRequest request, Publisher<ByteBuf> body) {
        HeldRuntime runtime = held.get(record.runtimeId());
        RunnerTarget target = runtime != null ? runtime.target()
                : new RunnerTarget(record.host(), record.port(), record.secret(), record.leaseToken());
        return Flux.defer(() -> {
            if (runtime != null) {
                runtime.executionStarted(clock.instant());
            }
            return runners.execute(target, request, body)
                    .doFinally(signal -> executionEnded(record.runtimeId(), runtime));
        });
    }

    private void executionEnded(String runtimeId, HeldRuntime runtime) {
        Instant now = clock.instant();
        if (runtime != null) {
            runtime.executionEnded(now);
        }
        registry.touch(runtimeId, now)
                .subscribe(null, error -> log.debug("Recording activity of {} failed: {}", runtimeId, error.toString()));
    }
}
