package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.PoolObserver.Reap;
import io.kubernetes.client.openapi.models.V1Pod;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Brings a pool's warm pods to the wanted count from the informer cache (never from a list call): creates
 * the missing ones in parallel batches at a bounded rate, deletes surplus warm pods, ended pods, and warm
 * pods not ready within the pool's start timeout; {@link #reapOrphans} deletes pods of pools no longer
 * configured. Meant to run on the elected leader only (see {@link LeaderElection}); running it on two
 * replicas at once over-creates until the next pass deletes the surplus.
 *
 * <p>Pods it created that the cache does not show yet are counted as warm for {@link #EXPECTATION_TTL}, so
 * that back-to-back passes do not create them twice (controller-runtime's "expectations").
 */
public final class PoolReconciler {

    private static final Logger log = LoggerFactory.getLogger(PoolReconciler.class);
    static final Duration EXPECTATION_TTL = Duration.ofSeconds(30);

    private final ClusterPods pods;
    private final PodCreation creation;
    private final KubernetesDriverConfig.Reconcile limits;
    private final PoolObserver observer;
    private final WarmPodStarts starts = new WarmPodStarts();
    /** Pod name → pool label value, for pods created but not yet seen in the cache. */
    private final Map<String, Expected> expected = new ConcurrentHashMap<>();

    private record Expected(String pool, Instant until) {
    }

    /**
     * @param pods     the cache every decision is read from
     * @param creation makes and deletes the pods
     * @param limits   how fast pods are created
     * @param observer told of warm pods' create-to-ready times and of every pod this reconciler deletes
     */
    public PoolReconciler(ClusterPods pods, PodCreation creation, KubernetesDriverConfig.Reconcile limits,
                          PoolObserver observer) {
        this.pods = pods;
        this.creation = creation;
        this.limits = limits;
        this.observer = observer;
    }

    /** One pass over the pool; completes with what it did. Errors only when the cache cannot start. */
    public Mono<ReconcileReport> reconcile(PoolConfig pool, int wantedWarm) {
        return pods.start().then(Mono.defer(() -> reconcileCached(pool, wantedWarm)));
    }

    /** Deletes every Hearth pod (and Job) whose pool is not among {@code configuredImages}; completes with how many. */
    public Mono<Integer> reapOrphans(Set<String> configuredImages) {
        return reapOrphans(configuredImages, pod -> false);
    }

    /**
     * Deletes every Hearth pod (and Job) whose pool is not among {@code configuredImages}, but those {@code spared};
     * completes with how many.
     */
    public Mono<Integer> reapOrphans(Set<String> configuredImages, java.util.function.Predicate<V1Pod> spared) {
        return pods.start().then(Mono.defer(() -> {
            Set<String> pools = configuredImages.stream().map(Labels::poolValue).collect(Collectors.toSet());
            List<String> ids = pods.all().stream()
                    .filter(pod -> !pools.contains(PodStates.label(pod, Labels.POOL)) && !PodStates.terminating(pod))
                    .filter(pod -> !spared.test(pod))
                    .map(pod -> PodStates.label(pod, Labels.POD_ID))
                    .filter(id -> id != null)
                    .distinct()
                    .toList();
            ids.forEach(id -> log.info("Deleting orphan {} (its pool is not configured)", id));
            return deleteAll(ids).doOnNext(deleted -> reaped(Reap.ORPHAN, deleted));
        }));
    }

    private Mono<ReconcileReport> reconcileCached(PoolConfig pool, int wanted) {
        String poolValue = Labels.poolValue(pool.image());
        Instant now = Instant.now();
        List<V1Pod> ofPool = pods.ofPool(pool.image()).stream()
                .filter(pod -> Labels.KIND_POD.equals(PodStates.label(pod, Labels.KIND)) && !PodStates.terminating(pod))
                .toList();
        ofPool.forEach(pod -> expected.remove(PodStates.name(pod)));
        expected.values().removeIf(e -> e.until().isBefore(now));
        long pending = expected.values().stream().filter(e -> e.pool().equals(poolValue)).count();

        List<String> ended = names(ofPool.stream().filter(PodStates::ended));
        List<V1Pod> warm = ofPool.stream()
                .filter(pod -> Labels.STATE_WARM.equals(PodStates.label(pod, Labels.STATE)) && !PodStates.ended(pod))
                .toList();
        // Warm pods made under another pod-secret key (the key changed) would refuse every call: replaced.
        List<String> stale = names(warm.stream().filter(pod -> !pods.madeUnderCurrentKey(pod)));
        List<String> unready = names(warm.stream()
                .filter(pod -> !stale.contains(PodStates.name(pod)) && tooLongUnready(pod, pool, now)));
        List<V1Pod> usable = warm.stream()
                .filter(pod -> !unready.contains(PodStates.name(pod)) && !stale.contains(PodStates.name(pod)))
                .toList();
        stale.forEach(name -> log.info("Deleting stale {} (its secret was derived from another pod-secret key)", name));
        int counted = usable.size() + (int) pending;
        List<String> surplus = names(usable.stream()
                .sorted(Comparator.comparing(PodStates::ready).thenComparing(PodStates::created, Comparator.reverseOrder()))
                .limit(Math.max(0, counted - wanted)));
        int missing = Math.max(0, wanted - counted);
        starts.report(pool.image(), warm, unready, observer);

        return Mono.zip(deleteAll(ended), deleteAll(unready), deleteAll(surplus), createMissing(pool, poolValue, missing),
                        deleteAll(stale))
                .doOnNext(done -> reaped(Reap.ORPHAN, done.getT5()))
                .map(done -> new ReconcileReport(pool.image(), counted, wanted, done.getT4(), missing - done.getT4(),
                        done.getT3(), done.getT1(), done.getT2()))
                .doOnNext(this::reaped)
                .doOnNext(report -> log.debug("Reconciled {}", report));
    }

    private void reaped(ReconcileReport report) {
        reaped(Reap.SURPLUS, report.deletedSurplus());
        reaped(Reap.ENDED, report.deletedFailed());
        reaped(Reap.UNREADY, report.deletedUnready());
    }

    private void reaped(Reap reason, int count) {
        if (count > 0) {
            observer.podsReaped(reason, count);
        }
    }

    private static boolean tooLongUnready(V1Pod pod, PoolConfig pool, Instant now) {
        return !PodStates.ready(pod) && PodStates.created(pod).plus(pool.startTimeout()).isBefore(now);
    }

    /** Creates {@code count} pods, {@code batchSize} at a time, a batch at most every {@code batchInterval}. */
    private Mono<Integer> createMissing(PoolConfig pool, String poolValue, int count) {
        return Flux.range(0, count)
                .buffer(limits.batchSize())
                .index()
                .concatMap(batch -> createBatch(pool, poolValue, batch.getT2().size())
                        .delaySubscription(batch.getT1() == 0 ? Duration.ZERO : limits.batchInterval()))
                .reduce(0, Integer::sum);
    }

    private Mono<Integer> createBatch(PoolConfig pool, String poolValue, int size) {
        return Flux.range(0, size)
                .flatMap(i -> creation.submitWarmPod(pool)
                        .doOnNext(pod -> expected.put(PodStates.name(pod),
                                new Expected(poolValue, Instant.now().plus(EXPECTATION_TTL))))
                        .thenReturn(1)
                        .onErrorResume(error -> {
                            log.debug("Creating a pod of {} failed: {}", pool.image(), KubernetesApi.describe(error));
                            return Mono.just(0);
                        }))
                .reduce(0, Integer::sum);
    }

    private Mono<Integer> deleteAll(List<String> ids) {
        return Flux.fromIterable(ids)
                .flatMap(id -> creation.delete(id)
                        .thenReturn(1)
                        .onErrorResume(error -> {
                            log.debug("Deleting {} failed: {}", id, KubernetesApi.describe(error));
                            return Mono.just(0);
                        }), limits.batchSize())
                .reduce(0, Integer::sum);
    }

    private static List<String> names(Stream<V1Pod> pods) {
        return pods.map(PodStates::name).toList();
    }
}
