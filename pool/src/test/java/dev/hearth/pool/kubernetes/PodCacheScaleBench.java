package dev.hearth.pool.kubernetes;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.PooledPod;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.util.PatchUtils;
import reactor.core.publisher.Flux;

/**
 * Claim latency of a Kubernetes pool with few and with many pods in the replica's pod cache (issue 12: a cache of
 * 5,000 pods keeps claim latency within 10 % of a small one's), in one run; prints Markdown tables
 * ({@link PodCacheScaleReport}). Not a test.
 *
 * <p>Against the harness (fabric8 mock API server behind its front, the informer of a real {@link ClusterPods}):
 * one warm pod is made the real way (reconciler, simulated kubelet) and copied, already Running and Ready, so the
 * kubelet leaves the copies alone. A claim is {@link ClusterImagePool#acquire()}: the cache's warm pods, then the
 * resourceVersion-guarded label patch through the API. Two shapes per size: {@code WARM} warm pods of the pool beside
 * claimed ones (an installation with many runtimes), and every pod of the pool warm (a huge warm pool).
 *
 * <p>Reference, in the same run and the same loop: the claim's own patch (resourceVersion, state label, claimed-at
 * annotation) of the same pod, sent by a bare client-java call on the bench's thread through a client of the same
 * harness. Its cost is the API server's and the client library's; "claim ÷ reference" is Hearth's own share (the
 * cache look, the Reactor chain, the hops to and from the API adapter's thread). The harness's front enforces the
 * resourceVersion precondition the mock ignores by reading the pod back first, a second request whose cost grows
 * with the objects the mock holds: an unguarded relabel would understate the claim's API call. Each call is split at
 * its HTTP steps ({@link CallStamps}).
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
        try (KubernetesHarness harness = KubernetesHarness.builder().build()) {
            CallStamps hearthStamps = new CallStamps();
            ApiClient hearthClient = stamped(harness.apiClient(), hearthStamps);
            try (TestDrivers.Replica replica = TestDrivers.replica(harness, hearthClient, TestDrivers.config(harness),
                    TestDrivers.POD_SECRETS)) {
                run(harness, replica, hearthStamps, image, few, many, claims, warm);
            }
        }
    }

    private static void run(KubernetesHarness harness, TestDrivers.Replica replica, CallStamps hearthStamps,
                            String image, int few, int many, int claims, int warm) {
        PoolConfig config = new PoolConfig(image, warm, many + claims + 16, 8, Duration.ofSeconds(10), "exec",
                "sh -c", Duration.ofSeconds(10));
        new PoolReconciler(replica.pods(), replica.creation(), TestDrivers.config(harness).reconcile(),
                PoolObserver.NONE).reconcile(config, 1).block(WAIT);
        awaitCache(() -> replica.pods().warmCount(image) == 1, "the first warm pod");
        V1Pod template = replica.pods().ofPool(image).get(0);
        ClusterImagePool pool = new ClusterImagePool(config, replica.pods(), replica.driver(), PoolObserver.NONE);
        Pods pods = new Pods(harness, replica, template);
        Bench bench = new Bench(pool, pods, replica, image, hearthStamps, new BareClient(harness));

        pods.add(warm - 1, Labels.STATE_WARM);
        pods.add(few - warm, Labels.STATE_CLAIMED);
        awaitCache(() -> replica.pods().all().size() == few, few + " pods in the cache");
        List<Row> rows = new ArrayList<>();
        bench.measure(claims / 2, warm, few); // JIT warm-up, not printed
        rows.add(bench.measure(claims, warm, few));

        pods.add(many - few, Labels.STATE_CLAIMED);
        awaitCache(() -> replica.pods().all().size() == many, many + " pods in the cache");
        rows.add(bench.measure(claims, warm, many));

        pods.relabelAll(Labels.STATE_WARM);
        awaitCache(() -> replica.pods().warmCount(image) == many, "every pod warm");
        rows.add(bench.measure(claims, many, many));
        pods.relabelAllBut(few, Labels.STATE_CLAIMED);
        awaitCache(() -> replica.pods().warmCount(image) == few, few + " warm");
        rows.add(bench.measure(claims, few, many));
        PodCacheScaleReport.print(rows);
        pods.deleteAll();
    }

    /** {@code client} with {@code stamps} listening to its calls. */
    private static ApiClient stamped(ApiClient client, CallStamps stamps) {
        return client.setHttpClient(client.getHttpClient().newBuilder().eventListener(stamps).build());
    }

    /** One measured configuration: the claims and their same-run references, each call split by its stamps. */
    record Row(int total, int warm, Calls claims, Calls bareClaims, Calls relabels, Calls bareRelabels,
               double lookMicros, long gcs, long gcMillis) {
    }

    /** The calls of one kind: each one's total and its parts, in nanos. */
    static final class Calls {
        final long[] total;
        final long[] before;
        final long[] server;
        final long[] body;
        final long[] after;
        /** Calls that took more than one HTTP call (a 409 and its re-read and retry). */
        int repeated;
        private int count;

        Calls(int size) {
            total = new long[size];
            before = new long[size];
            server = new long[size];
            body = new long[size];
            after = new long[size];
        }

        /** A call from {@code start} to {@code end} whose HTTP steps {@code stamps} holds. */
        void add(long start, long end, long callsBefore, CallStamps stamps) {
            if (stamps.calls() - callsBefore != 1) {
                repeated++;
            }
            total[count] = end - start;
            before[count] = stamps.requestStart() - start;
            server[count] = stamps.responseHeaders() - stamps.requestStart();
            body[count] = stamps.responseBody() - stamps.responseHeaders();
            after[count] = end - stamps.responseBody();
            count++;
        }

        static double p50(long[] nanos) {
            return percentile(nanos, 0.5);
        }

        static double percentile(long[] nanos, double share) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            int at = share == 0.5 ? sorted.length / 2
                    : Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * share) - 1);
            return sorted[at] / 1e6;
        }
    }

    /** The measuring loop and what it drives. */
    private record Bench(ClusterImagePool pool, Pods pods, TestDrivers.Replica replica, String image,
                         CallStamps hearthStamps, BareClient bare) {

        /**
         * Per round, each call awaited in the cache before the next, so that every call meets the same cache and the
         * same quiet server: Hearth's claim ({@link ClusterImagePool#acquire()}); the relabel back to warm through
         * Hearth's {@link KubernetesApi}; the claim's own patch (resourceVersion, state, claimed-at) of the same pod
         * by a bare client-java call on this thread (the reference: what the API call costs without Hearth); the
         * bare relabel back to warm (the same without the resourceVersion precondition).
         */
        Row measure(int rounds, int warm, int total) {
            Calls claims = new Calls(rounds);
            Calls bareClaims = new Calls(rounds);
            Calls relabels = new Calls(rounds);
            Calls bareRelabels = new Calls(rounds);
            long[] gcBefore = gc();
            for (int i = 0; i < rounds; i++) {
                long calls = hearthStamps.calls();
                long start = System.nanoTime();
                PooledPod taken = pool.acquire().block(WAIT);
                claims.add(start, System.nanoTime(), calls, hearthStamps);
                String name = taken.pod().id();
                calls = hearthStamps.calls();
                start = System.nanoTime();
                V1Pod relabelled = pods.relabel(name, Labels.STATE_WARM);
                relabels.add(start, System.nanoTime(), calls, hearthStamps);
                String version = awaitVersion(relabelled);
                calls = bare.stamps().calls();
                start = System.nanoTime();
                bare.claim(name, version);
                bareClaims.add(start, System.nanoTime(), calls, bare.stamps());
                calls = bare.stamps().calls();
                start = System.nanoTime();
                V1Pod warmAgain = bare.relabel(name, Labels.STATE_WARM);
                bareRelabels.add(start, System.nanoTime(), calls, bare.stamps());
                awaitVersion(warmAgain);
                awaitCache(() -> replica.pods().warmCount(image) == warm, "the claimed pod warm again");
            }
            long[] gcAfter = gc();
            if (replica.pods().all().size() != total) {
                throw new IllegalStateException("cache holds " + replica.pods().all().size() + " pods, not " + total);
            }
            return new Row(total, warm, claims, bareClaims, relabels, bareRelabels, look(replica, image),
                    gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1]);
        }

        /**
         * Waits until the cache holds {@code written} (this version or a later one); returns its version. Counting warm
         * pods is not enough: a cache that has not seen the claim yet still counts the pod warm, at its old version.
         */
        private String awaitVersion(V1Pod written) {
            String version = written.getMetadata().getResourceVersion();
            long wanted = Long.parseLong(version);
            replica.pods().updatesOf(PodStates.name(written))
                    .filter(event -> Long.parseLong(event.pod().getMetadata().getResourceVersion()) >= wanted)
                    .next()
                    .block(WAIT);
            return version;
        }

        /** Collections so far and their total time in ms, over every collector. */
        private static long[] gc() {
            long count = 0;
            long millis = 0;
            for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
                count += bean.getCollectionCount();
                millis += bean.getCollectionTime();
            }
            return new long[] {count, millis};
        }
    }

    /**
     * client-java alone, on the calling thread: the same merge patch Hearth's claim sends ({@link MetadataPatch} with
     * the resourceVersion precondition), through a client of the same harness, without Hearth's adapter, cache or
     * Reactor chain.
     */
    private static final class BareClient {
        private final ApiClient client;
        private final CoreV1Api core;
        private final String namespace;
        private final CallStamps stamps = new CallStamps();

        BareClient(KubernetesHarness harness) {
            this.client = stamped(harness.apiClient(), stamps);
            this.core = new CoreV1Api(client);
            this.namespace = harness.namespace();
        }

        CallStamps stamps() {
            return stamps;
        }

        V1Pod claim(String name, String resourceVersion) {
            return patch(name, new MetadataPatch()
                    .resourceVersion(resourceVersion)
                    .label(Labels.STATE, Labels.STATE_CLAIMED)
                    .annotation(Labels.CLAIMED_AT, Long.toString(System.currentTimeMillis())));
        }

        V1Pod relabel(String name, String state) {
            return patch(name, new MetadataPatch().label(Labels.STATE, state));
        }

        private V1Pod patch(String name, MetadataPatch patch) {
            V1Patch body = new V1Patch(patch.toJson(client.getJSON()));
            try {
                return PatchUtils.patch(V1Pod.class, () -> core.patchNamespacedPod(name, namespace, body).buildCall(null),
                        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
            } catch (ApiException e) {
                throw new IllegalStateException("bare patch of " + name + ": HTTP " + e.getCode(), e);
            }
        }
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

        V1Pod relabel(String name, String state) {
            return replica.api().patchPodMetadata(harness.namespace(), name,
                            new MetadataPatch().label(Labels.STATE, state))
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
