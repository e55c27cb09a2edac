package dev.hearth.pool.kubernetes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.PooledPod;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Pod;
import reactor.core.publisher.Flux;

/**
 * Claim latency of a Kubernetes pool with few and with many pods in the replica's pod cache (issue 12: a cache of
 * 5,000 pods keeps claim latency within 10 % of a small one's), in one run; prints a Markdown table. Not a test.
 *
 * <p>Against the harness (fabric8 mock API server behind its watch front, the informer of a real {@link ClusterPods}):
 * one warm pod is made the real way (reconciler, simulated kubelet) and copied, already Running and Ready, so the
 * kubelet leaves the copies alone. A claim is {@link ClusterImagePool#acquire()}: the cache's warm pods, then the
 * resourceVersion-guarded label patch through the API. After each claim the pod is labelled warm again (outside the
 * timing) and the next claim waits until the cache shows it, so every claim sees the same cache. Two shapes per
 * size: {@code WARM} warm pods of the pool beside claimed ones (an installation with many runtimes), and every pod of
 * the pool warm (a huge warm pool).
 *
 * <p>Reference, in the same run: the relabel after each claim is the same kind of call as the claim's own (a label
 * patch through the mock API server), timed alike. The mock server's cost grows with the objects it holds, which is
 * not the gateway's; "claim − patch" is what the claim spends beyond its API call (the cache, the pod's secret, the
 * Reactor chain), and the ratios are printed for both.
 *
 * <pre>
 * PodCacheScaleBench [few] [many] [claims] [warm]     defaults 50 5000 300 10
 * </pre>
 */
public final class PodCacheScaleBench {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private PodCacheScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        int few = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int many = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        int claims = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        int warm = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        String image = "bench/cache:1";
        try (KubernetesHarness harness = KubernetesHarness.builder().build();
             TestDrivers.Replica replica = TestDrivers.replica(harness)) {
            PoolConfig config = new PoolConfig(image, warm, many + claims + 16, 8, Duration.ofSeconds(10), "exec",
                    "sh -c", Duration.ofSeconds(10));
            new PoolReconciler(replica.pods(), replica.creation(), TestDrivers.config(harness).reconcile(),
                    PoolObserver.NONE).reconcile(config, 1).block(WAIT);
            awaitCache(() -> replica.pods().warmCount(image) == 1, "the first warm pod");
            V1Pod template = replica.pods().ofPool(image).get(0);
            ClusterImagePool pool = new ClusterImagePool(config, replica.pods(), replica.driver(), PoolObserver.NONE);
            Pods pods = new Pods(harness, replica, template);

            pods.add(warm - 1, Labels.STATE_WARM);
            pods.add(few - warm, Labels.STATE_CLAIMED);
            awaitCache(() -> replica.pods().all().size() == few, few + " pods in the cache");
            System.out.println("| pods in the cache | warm | claims | claim p50 ms | claim p99 ms | claim mean ms "
                    + "| API patch p50 ms (reference) | claim − patch p50 ms | cache look µs |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            measure(pool, pods, replica, image, claims / 2, warm, few, false); // JIT warm-up, not printed
            double[] fewMixed = print(few, warm, measure(pool, pods, replica, image, claims, warm, few, true), look(replica, image));

            pods.add(many - few, Labels.STATE_CLAIMED);
            awaitCache(() -> replica.pods().all().size() == many, many + " pods in the cache");
            double[] manyMixed = print(many, warm, measure(pool, pods, replica, image, claims, warm, many, true),
                    look(replica, image));

            pods.relabelAll(Labels.STATE_WARM);
            awaitCache(() -> replica.pods().warmCount(image) == many, "every pod warm");
            double[] manyWarm = print(many, many, measure(pool, pods, replica, image, claims, many, many, true),
                    look(replica, image));
            pods.relabelAllBut(few, Labels.STATE_CLAIMED);
            awaitCache(() -> replica.pods().warmCount(image) == few, few + " warm");
            double[] fewWarm = print(many, few, measure(pool, pods, replica, image, claims, few, many, true),
                    look(replica, image));
            System.out.println(String.format(Locale.ROOT, "%nclaim p50, %d ÷ %d pods in the cache (%d warm): %.2f "
                    + "(API patch alone: %.2f; claim − patch: %.2f); %d warm ÷ %d warm (%d pods): %.2f (API patch "
                    + "alone: %.2f; claim − patch: %.2f)", many, few, warm, manyMixed[0] / fewMixed[0],
                    manyMixed[1] / fewMixed[1], manyMixed[2] / fewMixed[2], many, few, many, manyWarm[0] / fewWarm[0],
                    manyWarm[1] / fewWarm[1], manyWarm[2] / fewWarm[2]));
            pods.deleteAll();
        }
    }

    /**
     * Claims one at a time; each claimed pod is labelled warm again (that patch timed too: the reference) and awaited
     * in the cache before the next. Returns the claims' and the patches' nanoseconds.
     */
    private static long[][] measure(ClusterImagePool pool, Pods pods, TestDrivers.Replica replica, String image,
                                    int claims, int warm, int total, boolean timed) {
        long[] nanos = new long[claims];
        long[] patches = new long[claims];
        for (int i = 0; i < claims; i++) {
            long start = System.nanoTime();
            PooledPod taken = pool.acquire().block(WAIT);
            nanos[i] = System.nanoTime() - start;
            long patched = System.nanoTime();
            pods.relabel(taken.pod().id(), Labels.STATE_WARM);
            patches[i] = System.nanoTime() - patched;
            awaitCache(() -> replica.pods().warmCount(image) == warm, "the claimed pod warm again");
        }
        if (replica.pods().all().size() != total) {
            throw new IllegalStateException("cache holds " + replica.pods().all().size() + " pods, not " + total);
        }
        return new long[][] {nanos, patches};
    }

    /**
     * The part of a claim that depends on the cache alone, without the API call: one look at the pool's warm pods
     * ({@link ClusterPods#warmPods}, what {@code takeWarm} starts with), mean µs over 2,000 looks after 2,000 unmeasured.
     */
    private static double look(TestDrivers.Replica replica, String image) {
        int found = 0;
        for (int i = 0; i < 2_000; i++) {
            found += replica.pods().warmPods(image).size();
        }
        long start = System.nanoTime();
        for (int i = 0; i < 2_000; i++) {
            found += replica.pods().warmPods(image).size();
        }
        long nanos = System.nanoTime() - start;
        if (found == 0) {
            throw new IllegalStateException("no warm pod to look at");
        }
        return nanos / 2_000 / 1e3;
    }

    /** Prints one row; returns the claim's p50, the patch's p50 and their difference, in ms. */
    private static double[] print(int total, int warm, long[][] measured, double lookMicros) {
        long[] nanos = measured[0];
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double p50 = sorted[sorted.length / 2] / 1e6;
        double p99 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6;
        double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
        long[] patches = measured[1].clone();
        Arrays.sort(patches);
        double patchP50 = patches[patches.length / 2] / 1e6;
        System.out.println(String.format(Locale.ROOT, "| %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f |",
                total, warm, nanos.length, p50, p99, mean, patchP50, p50 - patchP50, lookMicros));
        return new double[] {p50, patchP50, p50 - patchP50};
    }

    private static void awaitCache(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
    }

    /** Copies of the template pod, written through the API (never faulted). */
    private static final class Pods {
        private final KubernetesHarness harness;
        private final TestDrivers.Replica replica;
        private final V1Pod template;
        private final JSON json = new JSON();
        private final List<String> names = new ArrayList<>();

        Pods(KubernetesHarness harness, TestDrivers.Replica replica, V1Pod template) {
            this.harness = harness;
            this.replica = replica;
            this.template = template;
            names.add(PodStates.name(template));
        }

        void add(int count, String state) {
            int first = names.size();
            List<String> made = Flux.range(first, count)
                    .flatMap(i -> reactor.core.publisher.Mono.fromCallable(() -> create(i, state))
                            .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()), 16)
                    .collectList()
                    .block(Duration.ofMinutes(5));
            names.addAll(made);
        }

        void relabel(String name, String state) {
            replica.api().patchPodMetadata(harness.namespace(), name, new MetadataPatch().label(Labels.STATE, state))
                    .block(WAIT);
        }

        void relabelAll(String state) {
            relabelAllBut(0, state);
        }

        /** Every pod but the first {@code kept} labelled {@code state}. */
        void relabelAllBut(int kept, String state) {
            Flux.fromIterable(names.subList(kept, names.size()))
                    .flatMap(name -> replica.api().patchPodMetadata(harness.namespace(), name,
                            new MetadataPatch().label(Labels.STATE, state)), 16)
                    .blockLast(Duration.ofMinutes(5));
        }

        void deleteAll() {
            Flux.fromIterable(names)
                    .flatMap(name -> reactor.core.publisher.Mono.fromCallable(
                                    () -> harness.core().deleteNamespacedPod(name, harness.namespace()).execute())
                            .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()), 16)
                    .onErrorContinue((error, name) -> { })
                    .blockLast(Duration.ofMinutes(5));
        }

        private String create(int index, String state) throws Exception {
            V1Pod pod = json.deserialize(json.serialize(template), V1Pod.class);
            String id = "cache-" + index;
            pod.getMetadata().name(id).resourceVersion(null).uid(null).creationTimestamp(null);
            pod.getMetadata().putLabelsItem(Labels.POD_ID, id).putLabelsItem(Labels.STATE, state);
            harness.core().createNamespacedPod(harness.namespace(), pod).execute();
            return id;
        }
    }
}
