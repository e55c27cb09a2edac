package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.lease.LeaseStore;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The leader's duty: keeps every pool at {@code size} warm pods in the cluster, reaps orphans (pods of
 * pools no longer configured) and abandoned pods (claimed, but their holder's lease is gone). Runs a pass
 * when any pod of ours changes (a claim relabels a pod: the replacement starts at once, no timer), and every
 * {@code period} as a safety net. Passes are serialized; only the replica holding the Lease runs them.
 */
public final class ClusterReconciliation implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterReconciliation.class);

    /** How long a pod Secret may be without its pod before the leader deletes it, unless told otherwise. */
    public static final Duration SECRET_GRACE = Duration.ofMinutes(1);

    private final Disposable loop;
    private final Disposable sweeps;

    /**
     * @param leases      where holders record their claims; a claimed pod with no lease for {@code claimGrace}
     *                    after its claim lost its holder (the replica died) and is deleted
     * @param claimGrace  how long a claim may go without a lease: longer than claim-to-lease (milliseconds),
     *                    and the holder's lease TTL covers the rest
     */
    public ClusterReconciliation(KubernetesPodDriver driver, LeaderElection leader, List<PoolConfig> pools,
                                 Duration period, LeaseStore leases, Duration claimGrace) {
        this(driver, leader, pools, period, leases, claimGrace, PoolObserver.NONE);
    }

    /** @param observer told of warm pods' start times and of every pod reaped (on the leader only) */
    public ClusterReconciliation(KubernetesPodDriver driver, LeaderElection leader, List<PoolConfig> pools,
                                 Duration period, LeaseStore leases, Duration claimGrace, PoolObserver observer) {
        this(driver, leader, pools, period, leases, claimGrace, observer, SECRET_GRACE);
    }

    /** @param secretGrace pod Secrets without their pod this long are deleted, in a sweep as often */
    public ClusterReconciliation(KubernetesPodDriver driver, LeaderElection leader, List<PoolConfig> pools,
                                 Duration period, LeaseStore leases, Duration claimGrace, PoolObserver observer,
                                 Duration secretGrace) {
        SecretSweeper sweeper = new SecretSweeper(driver, secretGrace);
        this.sweeps = Flux.interval(secretGrace, secretGrace)
                .onBackpressureDrop()
                .filter(tick -> leader.isLeader())
                .concatMap(tick -> sweeper.sweep().onErrorResume(error -> {
                    log.warn("Sweeping pod Secrets failed; the next sweep retries: {}", error.toString());
                    return Mono.empty();
                }), 1)
                .subscribe();
        PoolReconciler reconciler = new PoolReconciler(driver, observer);
        Set<String> images = pools.stream().map(PoolConfig::image).collect(Collectors.toSet());
        List<PoolConfig> warmPools = pools.stream().filter(pool -> pool.size() > 0).toList();
        this.loop = Flux.merge(Flux.interval(Duration.ZERO, period).map(tick -> "tick"),
                        driver.podEvents().map(event -> "pod"))
                .onBackpressureLatest()
                .filter(trigger -> leader.isLeader())
                .concatMap(trigger -> pass(reconciler, warmPools, images)
                        .then(reapAbandoned(driver, leases, claimGrace, observer)), 1)
                .subscribe(null, error -> log.error("Cluster reconciliation stopped", error));
    }

    private static Mono<Void> pass(PoolReconciler reconciler, List<PoolConfig> pools, Set<String> images) {
        return Flux.fromIterable(pools)
                .concatMap(pool -> reconciler.reconcile(pool, pool.size()))
                .then(reconciler.reapOrphans(images))
                .then()
                .onErrorResume(error -> {
                    log.warn("Reconciliation pass failed; the next one retries: {}", error.toString());
                    return Mono.empty();
                });
    }

    /** Deletes claimed pods whose holder vanished: no lease, and claimed longer ago than the grace. */
    private static Mono<Void> reapAbandoned(KubernetesPodDriver driver, LeaseStore leases, Duration grace,
                                            PoolObserver observer) {
        Instant cutoff = Instant.now().minus(grace);
        return driver.claimedPods()
                .flatMapMany(Flux::fromIterable)
                .filter(claimed -> claimed.claimedAt().isBefore(cutoff))
                .filterWhen(claimed -> leases.current(claimed.podId()).hasElement().map(held -> !held))
                .concatMap(claimed -> {
                    log.info("Deleting {}: claimed, but its holder's lease is gone", claimed.podId());
                    return driver.delete(claimed.podId())
                            .doOnSuccess(deleted -> observer.podsReaped(PoolObserver.Reap.ABANDONED, 1));
                })
                .then()
                .onErrorResume(error -> {
                    log.warn("Reaping abandoned pods failed; the next pass retries: {}", error.toString());
                    return Mono.empty();
                });
    }

    @Override
    public void close() {
        sweeps.dispose();
        loop.dispose();
    }
}
