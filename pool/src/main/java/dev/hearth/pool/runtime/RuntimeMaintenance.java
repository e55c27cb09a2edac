package dev.hearth.pool.runtime;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Periodic;
import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.pool.registry.RuntimeRegistry;
import dev.hearth.pool.runtime.RuntimeObserver.Release;
import dev.hearth.pool.runtime.RuntimeObserver.Renewal;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A replica's background duties toward its runtimes, each a {@link Periodic} loop that survives slow runs and
 * errors: renew the held leases in one batch every third of their life and end the runtimes that lost theirs;
 * write executions' activity to the registry; release runtimes idle past the inactivity threshold (never one
 * with an execution in flight, here or — as the registry's activity shows — through another replica); remove
 * reservations no creation works on. Also ends a runtime whose pod died. {@link #stop()} ends every held runtime,
 * so leases are released rather than left to expire.
 */
public final class RuntimeMaintenance {

    private static final Logger log = LoggerFactory.getLogger(RuntimeMaintenance.class);

    private final HeldRuntimes held;
    private final Creations creations;
    private final ActivityLog activity;
    private final LeaseStore leases;
    private final RuntimeRegistry registry;
    private final RuntimesConfig config;
    private final Clock clock;
    private final RuntimeObserver observer;
    private final Scheduler timer;
    private volatile List<AutoCloseable> running = List.of();

    RuntimeMaintenance(HeldRuntimes held, Creations creations, ActivityLog activity, LeaseStore leases,
                       RuntimeRegistry registry, RuntimesConfig config, Clock clock, RuntimeObserver observer,
                       Scheduler timer) {
        this.held = held;
        this.creations = creations;
        this.activity = activity;
        this.leases = leases;
        this.registry = registry;
        this.config = config;
        this.clock = clock;
        this.observer = observer;
        this.timer = timer;
    }

    /**
     * Starts the loops, and ends each held runtime whose pod appears in {@code podTerminations} (its executions
     * already failed with a clear error; it answers 404 from now on rather than pointing at a dead pod).
     */
    public synchronized void start(Flux<String> podTerminations) {
        if (!running.isEmpty()) {
            return;
        }
        Disposable deaths = podTerminations.concatMap(podId -> held.podEnded(podId)
                        .onErrorResume(error -> {
                            log.warn("Ending the runtime of dead pod {} failed: {}", podId, error.toString());
                            return Mono.empty();
                        }))
                .subscribe(null, error -> log.error("Pod terminations stopped", error));
        Disposable removals = endRemovedElsewhere();
        running = List.of(
                Periodic.start("Lease renewal", config.renewEvery(), this::renewLeases, timer),
                Periodic.start("Activity flush", config.activityFlush(), this::flushActivity, timer),
                Periodic.start("Idle reaping", config.maintenanceInterval(), this::reapIdle, timer),
                Periodic.start("Orphaned reservations", config.renewEvery(), this::removeOrphanedReservations, timer),
                deaths::dispose,
                removals::dispose);
    }

    /**
     * Ends each held runtime another replica deleted, as soon as its announcement arrives (the deleter waits for it:
     * {@code Runtimes.releaseForeign}). Off the store's threads; survives any error, re-subscribing after a failure
     * of the channel itself.
     */
    private Disposable endRemovedElsewhere() {
        return registry.announcedRemovals()
                .publishOn(timer)
                .concatMap(removal -> held.removedElsewhere(removal.runtimeId(), removal.podId())
                        .onErrorResume(error -> {
                            log.warn("Ending runtime {}, deleted elsewhere, failed: {}", removal.runtimeId(),
                                    error.toString());
                            return Mono.empty();
                        }))
                .retryWhen(reactor.util.retry.Retry.backoff(Long.MAX_VALUE, java.time.Duration.ofMillis(100))
                        .maxBackoff(java.time.Duration.ofSeconds(5))
                        .doBeforeRetry(signal -> log.warn("Removal announcements failed; listening again: {}",
                                signal.failure().toString())))
                .subscribe(null, error -> log.error("Removal announcements stopped", error));
    }

    /** Stops the loops, writes the last activity, and ends every held runtime. Lazy. */
    public Mono<Void> stop() {
        return Mono.defer(() -> {
            List<AutoCloseable> loops;
            synchronized (this) {
                loops = running;
                running = List.of();
            }
            loops.forEach(RuntimeMaintenance::closeQuietly);
            return activity.flush()
                    .onErrorResume(error -> Mono.empty())
                    .then(held.endAll(Release.SHUTDOWN));
        });
    }

    /** Renews every held lease in one batch and ends the runtimes whose lease could not be renewed. */
    public Mono<Void> renewLeases() {
        return Mono.defer(() -> {
            Map<String, HeldRuntime> byPod = held.all().stream()
                    .collect(Collectors.toMap(runtime -> runtime.lease().podId(), Function.identity(), (a, b) -> a));
            if (byPod.isEmpty()) {
                return Mono.empty();
            }
            List<Lease> current = byPod.values().stream().map(HeldRuntime::lease).toList();
            Instant renewedUntil = clock.instant().plus(config.leaseTtl());
            return leases.renew(current, config.leaseTtl())
                    .collectList()
                    .onErrorResume(error -> {
                        // The store cannot say: keep serving on the leases held until they run out.
                        log.warn("Renewing {} leases failed; serving on until they expire: {}", current.size(),
                                error.toString());
                        observer.leasesRenewed(Renewal.FAILED, current.size());
                        return end(byPod, expiredByNow(current), Release.LEASE_EXPIRED).then(Mono.empty());
                    })
                    .flatMap(lost -> {
                        byPod.values().forEach(runtime -> runtime.renewed(renewedUntil));
                        renewed(current.size(), lost.size());
                        return end(byPod, lost, Release.LEASE_LOST);
                    });
        });
    }

    /** Removes this replica's reservations that no creation or build works on (see {@code Creations}). */
    public Mono<Void> removeOrphanedReservations() {
        return creations.removeOrphanedReservations();
    }

    /** Writes the activity of executions since the last flush to the registry, in one batch. */
    public Mono<Void> flushActivity() {
        return activity.flush();
    }

    /**
     * Ends held runtimes idle since the inactivity threshold: none in flight here, no local activity, and no
     * activity through other replicas in the registry. When the registry cannot say, the local view decides.
     */
    public Mono<Void> reapIdle() {
        return Mono.defer(() -> {
            Instant cutoff = clock.instant().minus(config.inactivityThreshold());
            return Flux.fromIterable(held.idleSince(cutoff))
                    .filterWhen(runtime -> registry.get(runtime.runtimeId())
                            .map(record -> idleInRegistry(record, cutoff))
                            .defaultIfEmpty(true)
                            .onErrorReturn(true))
                    .flatMap(runtime -> held.end(runtime.runtimeId(), Release.IDLE, true))
                    .then();
        });
    }

    private void renewed(int leases, int lost) {
        if (leases > lost) {
            observer.leasesRenewed(Renewal.RENEWED, leases - lost);
        }
        if (lost > 0) {
            observer.leasesRenewed(Renewal.LOST, lost);
        }
    }

    private List<Lease> expiredByNow(List<Lease> current) {
        Instant now = clock.instant();
        return current.stream().filter(lease -> !lease.expiresAt().isAfter(now)).toList();
    }

    /** The lease is gone: whoever ended it (a delete elsewhere, or expiry) owns the id now. */
    private Mono<Void> end(Map<String, HeldRuntime> byPod, List<Lease> lost, Release reason) {
        return Flux.fromIterable(lost)
                .map(lease -> byPod.get(lease.podId()))
                .flatMap(runtime -> held.end(runtime.runtimeId(), reason, false))
                .then();
    }

    private static void closeQuietly(AutoCloseable loop) {
        try {
            loop.close();
        } catch (Exception e) {
            log.debug("Closing a maintenance loop failed: {}", e.toString());
        }
    }

    private static boolean idleInRegistry(RuntimeRecord record, Instant cutoff) {
        return record.updated() == null || record.updated().isBefore(cutoff);
    }
}
