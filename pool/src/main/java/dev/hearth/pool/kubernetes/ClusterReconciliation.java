package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.Periodic;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.lease.LeaseStore;
import io.kubernetes.client.openapi.models.V1Pod;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The leader's duty: keeps every pool at {@code size} warm pods in the cluster ({@link PoolReconciler}), reaps
 * orphans (warm pods of pools no longer configured; a Job's pod, made for one runtime, is never one) and abandoned pods (claimed, but their holder's lease is gone), and
 * sweeps pod Secrets left without their pod ({@link SecretSweeper}). A pass runs when any pod of ours changes (a take
 * relabels a pod: the replacement starts at once, no timer), when this replica becomes leader, and every
 * {@code period} as a safety net; passes run one at a time and changes during a pass coalesce into one more
 * ({@link PassLoop}). Only the replica holding the Lease does anything; on the others a pass is a no-op. Neither
 * loop stops on a failed, throwing or slow pass.
 */
public final class ClusterReconciliation implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterReconciliation.class);

    /** How long a pod Secret may be without its pod before the leader deletes it, unless told otherwise. */
    public static final Duration SECRET_GRACE = Duration.ofMinutes(1);

    /**
     * @param period      the safety net: a pass at least this often
     * @param claimGrace  how long a claim may go without a lease before its pod counts as abandoned and is deleted:
     *                    longer than claim-to-lease (milliseconds); the holder's lease TTL covers the rest
     * @param secretGrace pod Secrets without their pod this long are deleted, in a sweep as often
     */
    public record Settings(Duration period, Duration claimGrace, Duration secretGrace) {
        public Settings {
            requirePositive("period", period);
            requirePositive("claimGrace", claimGrace);
            requirePositive("secretGrace", secretGrace);
        }

        private static void requirePositive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("reconciliation " + name + " must be positive, but was " + value);
            }
        }
    }

    private final ClusterPods pods;
    private final PodCreation creation;
    private final LeaderElection leader;
    private final LeaseStore leases;
    private final List<PoolConfig> warmPools;
    private final Set<String> images;
    private final Duration claimGrace;
    private final PoolObserver observer;
    private final PoolReconciler reconciler;
    private final PassLoop passes;
    private final Periodic sweeps;
    private final Disposable triggers;

    /**
     * Starts both loops.
     *
     * @param pods     the cache every decision is read from; its changes trigger passes
     * @param creation makes and deletes pods
     * @param leases   where holders record their claims (a claimed pod without a lease is abandoned)
     * @param pools    every configured pool: warm pods of any other pool are orphans (a Job's pod never is)
     * @param observer told of warm pods' start times and of every pod reaped (on the leader only)
     */
    public ClusterReconciliation(ClusterPods pods, PodCreation creation, KubernetesApi api, KubernetesDriverConfig config,
                                 LeaderElection leader, LeaseStore leases, List<PoolConfig> pools, Settings settings,
                                 PoolObserver observer) {
        this.pods = pods;
        this.creation = creation;
        this.leader = leader;
        this.leases = leases;
        this.warmPools = pools.stream().filter(pool -> pool.size() > 0).toList();
        this.images = pools.stream().map(PoolConfig::image).collect(Collectors.toUnmodifiableSet());
        this.claimGrace = settings.claimGrace();
        this.observer = observer;
        this.reconciler = new PoolReconciler(pods, creation, config.reconcile(), observer);
        SecretSweeper sweeper = new SecretSweeper(api, pods, config, settings.secretGrace());
        this.sweeps = Periodic.start("Pod Secret sweep", settings.secretGrace(), () -> leading(sweeper.sweep()));
        this.passes = new PassLoop("Cluster reconciliation", settings.period(), this::pass, Schedulers.parallel());
        this.triggers = Flux.merge(pods.events(), leader.leadership().filter(leading -> leading))
                .subscribe(trigger -> passes.trigger(),
                        error -> log.error("Reconciliation triggers stopped; the {} safety net goes on", settings.period(), error));
        passes.trigger();
    }

    /** Stops both loops; a pass in progress is cancelled (its API calls in flight run to their end). */
    @Override
    public void close() {
        triggers.dispose();
        passes.close();
        sweeps.close();
    }

    /**
     * One pass, on the leader only: every warm pool, then orphans, then abandoned claims; a step that fails does not
     * keep the others from running.
     */
    private Mono<Void> pass() {
        return leading(Flux.fromIterable(warmPools)
                .concatMap(pool -> isolated("Reconciling pool '" + pool.image() + "'", reconciler.reconcile(pool, pool.size())))
                .then(isolated("Reaping orphans", reconciler.reapOrphans(images, ClusterReconciliation::ownsItsRuntime)))
                .then(isolated("Reaping abandoned claims", reapAbandoned())));
    }

    /**
     * A Job's pod was born claimed for one runtime, by a pool made for it (an image matched by a pattern entry or
     * allowed without one, or a runtime whose limits no warm pod covers) or by a configured size-0 pool; whichever
     * replica made it, the leader need not know that pool. It is never an orphan: it ends with its runtime, as an
     * abandoned claim once its holder's lease is gone ({@link #reapAbandoned}), or at its Job's deadline.
     */
    static boolean ownsItsRuntime(V1Pod pod) {
        return Labels.KIND_JOB.equals(PodStates.label(pod, Labels.KIND));
    }

    private static Mono<Void> isolated(String step, Mono<?> work) {
        return work.then().onErrorResume(error -> {
            log.warn("{} failed; the next pass retries: {}", step, error.toString());
            return Mono.empty();
        });
    }

    private <T> Mono<T> leading(Mono<T> duty) {
        return Mono.defer(() -> leader.isLeader() ? duty : Mono.empty());
    }

    /** Deletes claimed pods whose holder vanished: no lease, and claimed longer ago than the grace. */
    private Mono<Void> reapAbandoned() {
        return Mono.defer(() -> {
            Instant cutoff = Instant.now().minus(claimGrace);
            return Flux.fromIterable(pods.claimedPods())
                    .filter(claimed -> claimed.claimedAt().isBefore(cutoff))
                    .filterWhen(claimed -> leases.current(claimed.podId()).hasElement().map(held -> !held))
                    .concatMap(claimed -> {
                        log.info("Deleting {}: claimed, but its holder's lease is gone", claimed.podId());
                        return creation.delete(claimed.podId())
                                .doOnSuccess(deleted -> observer.podsReaped(PoolObserver.Reap.ABANDONED, 1));
                    })
                    .then();
        });
    }
}
