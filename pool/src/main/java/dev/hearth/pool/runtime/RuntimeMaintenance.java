package dev.hearth.pool.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.runtime.RuntimeObserver.Release;
import dev.hearth.pool.runtime.RuntimeObserver.Renewal;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Background duties of a replica toward the runtimes it holds: renew their leases (one batch per tick,
 * every third of the lease TTL) and end the runtimes that lost theirs; release runtimes idle past the
 * inactivity threshold. A runtime with an execution in flight is never reaped, however long it runs
 * (unlike Open Runtimes' maintenance, which reaps by last update only).
 */
public final class RuntimeMaintenance implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RuntimeMaintenance.class);

    /** A reservation this old with no creation behind it is orphaned (see Runtimes#removeOrphanedReservations). */
    private static final Duration ORPHAN_AGE = Duration.ofSeconds(5);

    private final Runtimes runtimes;
    private final Disposable.Composite tasks = Disposables.composite();

    public RuntimeMaintenance(Runtimes runtimes) {
        this.runtimes = runtimes;
    }

    public void start() {
        RuntimesConfig config = runtimes.config();
        tasks.add(every(config.leaseTtl().dividedBy(3), this::renewLeases, "lease renewal"));
        tasks.add(every(config.leaseTtl().dividedBy(3), () -> runtimes.removeOrphanedReservations(ORPHAN_AGE),
                "orphaned reservations"));
        tasks.add(every(config.maintenanceInterval(), this::reapIdle, "idle reaping"));
    }

    /** Renews every held lease in one batch and ends the runtimes whose lease could not be renewed. */
    public Mono<Void> renewLeases() {
        Map<String, HeldRuntime> byPod = runtimes.held().stream()
                .collect(Collectors.toMap(runtime -> runtime.lease().podId(), Function.identity(), (a, b) -> a));
        if (byPod.isEmpty()) {
            return Mono.empty();
        }
        List<Lease> current = byPod.values().stream().map(HeldRuntime::lease).toList();
        Instant renewedUntil = runtimes.clock().instant().plus(runtimes.config().leaseTtl());
        return runtimes.leases().renew(current, runtimes.config().leaseTtl())
                .collectList()
                .onErrorResume(error -> {
                    // The store cannot say: keep serving on the leases we hold until they run out.
                    log.warn("Renewing {} leases failed; serving on until they expire: {}", current.size(),
                            error.toString());
                    runtimes.observer().leasesRenewed(Renewal.FAILED, current.size());
                    return endAll(byPod, expiredByNow(current), Release.LEASE_EXPIRED)
                            .then(Mono.empty());
                })
                .flatMap(lost -> {
                    byPod.values().forEach(runtime -> runtime.lease(withExpiry(runtime.lease(), renewedUntil)));
                    renewed(current.size(), lost.size());
                    return endAll(byPod, lost, Release.LEASE_LOST);
                });
    }

    private void renewed(int leases, int lost) {
        RuntimeObserver observer = runtimes.observer();
        if (leases > lost) {
            observer.leasesRenewed(Renewal.RENEWED, leases - lost);
        }
        if (lost > 0) {
            observer.leasesRenewed(Renewal.LOST, lost);
        }
    }

    private List<Lease> expiredByNow(List<Lease> leases) {
        Instant now = runtimes.clock().instant();
        return leases.stream().filter(lease -> !lease.expiresAt().isAfter(now)).toList();
    }

    private Mono<Void> endAll(Map<String, HeldRuntime> byPod, List<Lease> leases, Release reason) {
        return Flux.fromIterable(leases)
                .map(lease -> byPod.get(lease.podId()))
                .flatMap(runtime -> runtimes.endLost(runtime.record().runtimeId(), reason))
                .then();
    }

    /** Ends held runtimes with no execution in flight and no activity for the inactivity threshold. */
    public Mono<Void> reapIdle() {
        Instant cutoff = runtimes.clock().instant().minus(runtimes.config().inactivityThreshold());
        return Flux.fromIterable(List.copyOf(runtimes.held()))
                .filter(runtime -> runtime.inFlight() == 0 && runtime.lastActivity().isBefore(cutoff))
                .flatMap(runtime -> runtimes.endHeld(runtime.record().runtimeId(), Release.IDLE))
                .then();
    }

    /**
     * Stops the duties and ends every held runtime, so that leases are released rather than left to
     * expire and pods are destroyed. Blocking (bounded); for shutdown.
     */
    @Override
    public void close() {
        tasks.dispose();
        runtimes.endAll().block(Duration.ofSeconds(10));
    }

    private static Lease withExpiry(Lease lease, Instant expiresAt) {
        return new Lease(lease.podId(), lease.holder(), lease.token(), expiresAt);
    }

    private static Disposable every(Duration period, java.util.function.Supplier<Mono<Void>> task, String name) {
        return Flux.interval(period, period)
                .concatMap(tick -> task.get()
                        .onErrorResume(error -> {
                            log.warn("Runtime maintenance ({}) failed; next tick retries: {}", name, error.toString());
                            return Mono.empty();
                        }))
                .subscribe(null, error -> log.error("Runtime maintenance ({}) stopped", name, error));
    }
}
