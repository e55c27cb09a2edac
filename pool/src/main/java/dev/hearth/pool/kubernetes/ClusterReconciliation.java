package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.PoolConfig;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The leader's duty: keeps every pool at {@code size} warm pods in the cluster and reaps orphans. Runs a pass
 * when any pod of ours changes (a claim relabels a pod: the replacement starts at once, no timer), and every
 * {@code period} as a safety net. Passes are serialized; only the replica holding the Lease runs them.
 */
public final class ClusterReconciliation implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterReconciliation.class);

    private final Disposable loop;

    public ClusterReconciliation(KubernetesPodDriver driver, LeaderElection leader, List<PoolConfig> pools,
                                 Duration period) {
        PoolReconciler reconciler = new PoolReconciler(driver);
        Set<String> images = pools.stream().map(PoolConfig::image).collect(Collectors.toSet());
        List<PoolConfig> warmPools = pools.stream().filter(pool -> pool.size() > 0).toList();
        this.loop = Flux.merge(Flux.interval(Duration.ZERO, period).map(tick -> "tick"),
                        driver.podEvents().map(event -> "pod"))
                .onBackpressureLatest()
                .filter(trigger -> leader.isLeader())
                .concatMap(trigger -> pass(reconciler, warmPools, images), 1)
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

    @Override
    public void close() {
        loop.dispose();
    }
}
