package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.DynamicPools;
import dev.hearth.pool.ImagePattern;
import dev.hearth.pool.Pod;
import dev.hearth.pool.PodLimits;
import dev.hearth.pool.PodPool;
import dev.hearth.pool.PoolCatalog;
import dev.hearth.pool.PoolRequest;
import dev.hearth.pool.PooledPod;
import dev.hearth.pool.Pools;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import dev.hearth.pool.lease.InMemoryLeaseStore;
import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.lease.LeaseStore;
import io.kubernetes.client.openapi.models.V1Pod;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The leader's reconciliation running for real on the harness, this replica elected: pools restored to size, surplus
 * and orphans deleted, abandoned claims reaped, and the loop going on through failing and slow passes (the lease
 * store, which every pass asks about claimed pods, is made to throw or to be slow).
 */
class ClusterReconciliationIT {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Duration PERIOD = Duration.ofMillis(300);
    static final Duration CLAIM_GRACE = Duration.ofSeconds(1);
    static final AtomicInteger RUNS = new AtomicInteger();
    @RegisterExtension
    static final KubernetesHarness harness = KubernetesHarness.builder().build();
    final FaultyLeases leases = new FaultyLeases();
    TestDrivers.Replica replica;
    LeaderElection leader;
    ClusterReconciliation reconciliation;
    String image;

    @BeforeEach
    void elect() {
        int run = RUNS.incrementAndGet();
        replica = TestDrivers.replica(harness);
        leader = new LeaderElection(replica.api(), new LeaderElection.Settings(harness.namespace(), "reconciler-" + run,
                "replica-a", Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(200))).start();
        image = "reconciled/pool-" + run + ":1";
        await("leads").atMost(WAIT).until(leader::isLeader);
    }

    @AfterEach
    void stop() {
        if (reconciliation != null) {
            reconciliation.close();
        }
        leader.close();
        new PoolReconciler(replica.pods(), replica.creation(), TestDrivers.config(harness).reconcile(), PoolObserver.NONE)
                .reapOrphans(Set.of()).block(WAIT);
        replica.close();
        await("no pod left").atMost(WAIT).until(() -> apiPods().isEmpty());
    }

    @Test
    void restoresThePoolToSizeAfterATake() {
        start(List.of(pool(image, 2)));
        await("2 warm").atMost(WAIT).until(() -> warm() == 2);
        Pod taken = replica.pods().warmPods(image).get(0);
        leases.claim(taken.id(), "holder", Duration.ofMinutes(1)).block(WAIT);

        assertThat(replica.pods().take(taken).block(WAIT)).as("taken").isTrue();

        await("2 warm again, beside the taken one").atMost(WAIT).until(() -> warm() == 2 && exists(taken.id()));
    }

    @Test
    void deletesSurplusPodsAndOrphans() {
        PoolConfig pool = pool(image, 1);
        List<Pod> made = Flux.range(0, 3)
                .flatMap(i -> replica.creation().create(pool))
                .collectList()
                .block(WAIT);
        Pod orphan = replica.creation().create(pool("no-longer/configured:1", 1)).block(WAIT);

        start(List.of(pool));

        await("1 warm, 2 surplus deleted").atMost(WAIT).until(() -> warm() == 1
                && made.stream().filter(pod -> exists(pod.id())).count() == 1);
        await("the orphan deleted").atMost(WAIT).until(() -> !exists(orphan.id()));
    }

    @Test
    void reapsAClaimWithoutALeasePastTheGraceButNotOneWithALease() {
        start(List.of(pool(image, 2)));
        await("2 warm").atMost(WAIT).until(() -> warm() == 2);
        List<Pod> warm = replica.pods().warmPods(image);
        Pod held = warm.get(0);
        Pod abandoned = warm.get(1);
        leases.claim(held.id(), "holder", Duration.ofMinutes(1)).block(WAIT);

        assertThat(replica.pods().take(held).block(WAIT)).as("held taken").isTrue();
        assertThat(replica.pods().take(abandoned).block(WAIT)).as("abandoned taken").isTrue();

        await("the abandoned claim reaped").atMost(WAIT).until(() -> !exists(abandoned.id()));
        await("the pool refilled").atMost(WAIT).until(() -> warm() == 2);
        assertThat(exists(held.id())).as("the held claim").isTrue();
    }

    /**
     * Any image: a runtime of an image no pool is configured for gets a pool made at call time and a Job's pod with
     * exactly its limits; the leader, which knows nothing of that pool, leaves the pod to its lease through passes,
     * reaps one whose lease never came as an abandoned claim, and the held one goes when its runtime ends.
     */
    @Test
    void aRuntimeOfAnUnconfiguredImageGetsAJobPodWithItsLimitsWhichOnlyItsLeaseKeeps() throws Exception {
        start(List.of(pool(image, 1)));
        PoolConfig defaults = new PoolConfig("**", 0, 4, 4, Duration.ofSeconds(10), "exec", "sh -c",
                Duration.ofSeconds(10));
        DynamicPools made = new DynamicPools(config -> new ClusterImagePool(config, replica.pods(), replica.driver(),
                PoolObserver.NONE), new DynamicPools.Settings(8, Duration.ofMinutes(10)), java.time.Clock.systemUTC());
        Pools pools = new Pools(List.of(), new PoolCatalog(List.of(), new PoolCatalog.Unconfigured(
                List.of(ImagePattern.of("**")), defaults, true, "kubernetes")), made);
        String unconfigured = "unconfigured/app-" + RUNS.get() + ":1";
        PodPool pool = pools.forRuntime(new PoolRequest(unconfigured, "v5", new PodLimits(0.5, 300)));
        assertThat(pool.config().adapter()).as("chosen by version").isEqualTo("openruntimes");

        PooledPod held = pool.acquire().block(WAIT);
        leases.claim(held.pod().id(), "holder", Duration.ofMinutes(1)).block(WAIT);
        PooledPod leaseless = pool.acquire().block(WAIT);

        V1Pod job = apiPods().stream().filter(p -> held.pod().id().equals(PodStates.label(p, Labels.POD_ID)))
                .findFirst().orElseThrow();
        assertThat(PodStates.label(job, Labels.KIND)).isEqualTo(Labels.KIND_JOB);
        V1ResourceRequirements resources = job.getSpec().getContainers().get(0).getResources();
        assertThat(resources.getLimits()).as("exactly the runtime's")
                .containsEntry("cpu", Quantity.fromString("500m")).containsEntry("memory", Quantity.fromString("300Mi"));
        assertThat(resources.getRequests()).as("the pool's, under the limits")
                .containsEntry("cpu", Quantity.fromString("100m")).containsEntry("memory", Quantity.fromString("128Mi"));

        int asked = leases.asked();
        await("passes asked about the claims").atMost(WAIT).until(() -> leases.asked() >= asked + 6);
        await("the Job's pod without a lease reaped as abandoned").atMost(WAIT)
                .until(() -> !exists(leaseless.pod().id()));
        assertThat(exists(held.pod().id())).as("the held Job's pod, not an orphan").isTrue();

        held.invalidate();
        await("gone with its runtime").atMost(WAIT).until(() -> !exists(held.pod().id()));
        leaseless.abandon();
        assertThat(made.closeIdle()).as("in use a moment ago").isZero();
        made.close();
    }

    @Test
    void keepsRunningAfterPassesThatThrow() {
        leases.throwing(true);
        start(List.of(pool(image, 1)));
        await("1 warm").atMost(WAIT).until(() -> warm() == 1);
        Pod abandoned = replica.pods().warmPods(image).get(0);
        assertThat(replica.pods().take(abandoned).block(WAIT)).as("taken").isTrue();

        await("three passes whose reaping threw").atMost(WAIT).until(() -> leases.thrown() >= 3);
        await("the pool refilled meanwhile").atMost(WAIT).until(() -> warm() == 1);
        assertThat(exists(abandoned.id())).as("the abandoned claim while reaping throws").isTrue();

        leases.throwing(false);

        await("the abandoned claim reaped").atMost(WAIT).until(() -> !exists(abandoned.id()));
        await("the pool at size").atMost(WAIT).until(() -> warm() == 1);
    }

    @Test
    void keepsRunningAfterPassesSlowerThanTheirPeriod() {
        // Every pass asking about a claimed pod now takes five periods.
        leases.slow(PERIOD.multipliedBy(5));
        start(List.of(pool(image, 1)));

        for (int round = 1; round <= 2; round++) {
            await("1 warm, round " + round).atMost(WAIT).until(() -> warm() == 1);
            Pod abandoned = replica.pods().warmPods(image).get(0);
            assertThat(replica.pods().take(abandoned).block(WAIT)).as("taken, round " + round).isTrue();

            await("the abandoned claim reaped by a slow pass, round " + round).atMost(WAIT)
                    .until(() -> !exists(abandoned.id()));
        }
        await("the pool at size").atMost(WAIT).until(() -> warm() == 1);
        assertThat(leases.asked()).as("slow questions asked").isGreaterThanOrEqualTo(2);
    }

    private void start(List<PoolConfig> pools) {
        reconciliation = new ClusterReconciliation(replica.pods(), replica.creation(), replica.api(),
                TestDrivers.config(harness), leader, leases, pools,
                new ClusterReconciliation.Settings(PERIOD, CLAIM_GRACE, Duration.ofMinutes(1)), PoolObserver.NONE);
    }

    private static PoolConfig pool(String image, int size) {
        return new PoolConfig(image, size, size + 4, 4, Duration.ofSeconds(5), "exec", "sh -c", Duration.ofSeconds(10));
    }

    private int warm() {
        return replica.pods().warmCount(image);
    }

    private static List<V1Pod> apiPods() throws Exception {
        return harness.core().listNamespacedPod(harness.namespace()).execute().getItems().stream()
                .filter(pod -> !PodStates.terminating(pod))
                .toList();
    }

    private static boolean exists(String podId) {
        try {
            return apiPods().stream().anyMatch(pod -> podId.equals(PodStates.label(pod, Labels.POD_ID)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An in-memory lease store whose {@code current}, which reaping asks, can be made to throw or to be slow. */
    static final class FaultyLeases implements LeaseStore {
        private final InMemoryLeaseStore store = new InMemoryLeaseStore();
        private final AtomicInteger thrown = new AtomicInteger();
        private final AtomicInteger asked = new AtomicInteger();
        private volatile boolean throwing;
        private volatile Duration delay = Duration.ZERO;

        void throwing(boolean value) {
            throwing = value;
        }

        void slow(Duration value) {
            delay = value;
        }

        int thrown() {
            return thrown.get();
        }

        int asked() {
            return asked.get();
        }

        @Override
        public Mono<Lease> claim(String podId, String holder, Duration ttl) {
            return store.claim(podId, holder, ttl);
        }

        @Override
        public Flux<Lease> renew(Collection<Lease> leases, Duration ttl) {
            return store.renew(leases, ttl);
        }

        @Override
        public Mono<Void> release(Lease lease) {
            return store.release(lease);
        }

        /** Throws at assembly, not as an error signal: a bug, not an outage. */
        @Override
        public Mono<Lease> current(String podId) {
            asked.incrementAndGet();
            if (throwing) {
                thrown.incrementAndGet();
                throw new IllegalStateException("lease store broken by the test");
            }
            Duration wait = delay;
            return wait.isZero() ? store.current(podId) : Mono.delay(wait).then(store.current(podId));
        }
    }
}
