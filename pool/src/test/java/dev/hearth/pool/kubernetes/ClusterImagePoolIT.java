package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.AcquireTimeoutException;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolDegradedException;
import dev.hearth.pool.PoolExhaustedException;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.PooledPod;
import dev.hearth.pool.kubernetes.harness.Hold;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import io.kubernetes.client.openapi.models.V1Pod;
import reactor.core.Disposable;

/**
 * The cluster pool against the harness, replicas being caches and drivers of their own on one API server. Warm pods
 * come from a {@link PoolReconciler} the test runs itself, so each test decides when a pod appears.
 */
class ClusterImagePoolIT {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final AtomicInteger IMAGES = new AtomicInteger();
    @RegisterExtension
    static final KubernetesHarness harness = KubernetesHarness.builder().build();
    TestDrivers.Replica a;
    PoolReconciler reconciler;
    String image;

    @BeforeEach
    void startReplica() {
        a = TestDrivers.replica(harness);
        reconciler = new PoolReconciler(a.pods(), a.creation(), TestDrivers.config(harness).reconcile(), PoolObserver.NONE);
        image = "cluster/pool-" + IMAGES.incrementAndGet() + ":1";
    }

    @AfterEach
    void deleteEverything() {
        reconciler.reapOrphans(Set.of()).block(WAIT);
        a.close();
        await("no pod left").atMost(WAIT).until(() -> apiPods().isEmpty());
    }

    @Test
    void acquireTakesAWarmPodAndCountsItClaimed() {
        PoolConfig config = config(2, 4, Duration.ofSeconds(10));
        ClusterImagePool pool = pool(a, config);
        fill(config, 2);
        await("2 warm in the cache").atMost(WAIT).until(() -> pool.metrics().warm() == 2);

        PooledPod taken = pool.acquire().block(WAIT);

        assertThat(pool.metrics().claimed()).as("claimed").isEqualTo(1);
        assertThat(pool.metrics().pending()).as("pending").isZero();
        await("1 warm left").atMost(WAIT).until(() -> pool.metrics().warm() == 1);
        assertThat(PodStates.label(apiPod(taken.pod().id()), Labels.STATE)).as("state label").isEqualTo(Labels.STATE_CLAIMED);
        assertThat(TestDrivers.RUNNERS.health(taken.pod().host(), taken.pod().port()).block(WAIT))
                .as("the taken pod's runner").isNotNull();
        taken.invalidate();
    }

    @Test
    void aClaimThatWinsItsFirstTakeMakesOnlyThatPod() {
        PoolConfig config = config(4, 4, WAIT);
        AtomicInteger podsMade = new AtomicInteger();
        KubernetesPoolSpec spec = TestDrivers.spec(harness);
        // A Pod is made (its secret derived) only through the spec lookup: counting the lookups counts the Pods.
        try (ClusterPods counted = new ClusterPods(harness.watchClient(), a.api(), TestDrivers.config(harness),
                TestDrivers.POD_SECRETS, pool -> {
                    podsMade.incrementAndGet();
                    return spec;
                })) {
            counted.start().block(WAIT);
            ClusterImagePool pool = new ClusterImagePool(config, counted, a.driver(), PoolObserver.NONE);
            fill(config, 4);
            await("4 warm in the cache").atMost(WAIT).until(() -> pool.metrics().warm() == 4);

            PooledPod taken = pool.acquire().block(WAIT);

            assertThat(podsMade).as("pods made by the claim (4 warm)").hasValue(1);
            taken.invalidate();
        }
    }

    @Test
    void ofTwoReplicasRacingForOneWarmPodOneTakesItAndTheOtherWaitsForTheNext() {
        PoolConfig config = config(1, 4, WAIT);
        try (TestDrivers.Replica b = TestDrivers.replica(harness)) {
            ClusterImagePool poolA = pool(a, config);
            ClusterImagePool poolB = pool(b, config);
            fill(config, 1);
            await("the warm pod in both caches").atMost(WAIT)
                    .until(() -> poolA.metrics().warm() == 1 && poolB.metrics().warm() == 1);

            CompletableFuture<PooledPod> first = poolA.acquire().toFuture();
            CompletableFuture<PooledPod> second = poolB.acquire().toFuture();
            await("one of them took it").atMost(WAIT).until(() -> first.isDone() || second.isDone());
            CompletableFuture<PooledPod> winner = first.isDone() ? first : second;
            CompletableFuture<PooledPod> loser = winner == first ? second : first;

            await("the other waits, with no pod left").atMost(WAIT)
                    .until(() -> poolA.metrics().pending() + poolB.metrics().pending() == 1);
            assertThat(loser).as("the other").isNotDone();

            fill(config, 1);

            PooledPod next = loser.join();
            assertThat(next.pod().id()).as("the other's pod").isNotEqualTo(winner.join().pod().id());
            assertThat(poolA.metrics().claimed() + poolB.metrics().claimed()).as("claimed on both").isEqualTo(2);
            winner.join().invalidate();
            next.invalidate();
        }
    }

    @Test
    void aWaitingAcquisitionIsWokenWhenTheReplacementTurnsWarm() {
        PoolConfig config = config(1, 4, WAIT);
        // No fallback look within the test: only the cache's event of the new warm pod can wake the acquisition.
        ClusterImagePool pool = new ClusterImagePool(config, a.pods(), a.driver(), PoolObserver.NONE, Duration.ofHours(1));
        CompletableFuture<PooledPod> waiting = pool.acquire().toFuture();
        await("waiting").atMost(WAIT).until(() -> pool.metrics().pending() == 1);

        fill(config, 1);

        PooledPod taken = waiting.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        assertThat(taken.pod().image()).as("pod image").isEqualTo(image);
        await("none waiting").atMost(WAIT).until(() -> pool.metrics().pending() == 0);
        taken.invalidate();
    }

    @Test
    void aWaitingAcquisitionSurvivesALookSlowerThanItsFallback() {
        PoolConfig config = config(1, 4, WAIT);
        ClusterImagePool pool = new ClusterImagePool(config, a.pods(), a.driver(), PoolObserver.NONE, Duration.ofMillis(20));
        Hold takes = harness.faults().hold("patch", "pods");
        try {
            CompletableFuture<PooledPod> waiting = pool.acquire().toFuture();
            fill(config, 1);
            await("a take in flight").atMost(WAIT).until(() -> takes.arrived() > 0);

            // The subject is a duration: fallback cues keep coming (every 20 ms) while the look is held.
            await("still waiting, not failed").during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> !waiting.isDone());
            takes.release();

            assertThat(waiting.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join().pod().image())
                    .as("taken once the look ends").isEqualTo(image);
        } finally {
            takes.release();
        }
    }

    @Test
    void aFullPendingQueueFailsTheNextAcquisitionAtOnce() {
        PoolConfig config = config(1, 1, WAIT);
        ClusterImagePool pool = pool(a, config);
        Disposable first = pool.acquire().subscribe(pod -> { }, error -> { });
        try {
            await("one waiting").atMost(WAIT).until(() -> pool.metrics().pending() == 1);

            assertThatThrownBy(() -> pool.acquire().block(Duration.ofSeconds(5)))
                    .as("the second acquisition").isInstanceOf(PoolExhaustedException.class);
        } finally {
            first.dispose();
        }
        await("none waiting").atMost(WAIT).until(() -> pool.metrics().pending() == 0);
    }

    @Test
    void anAcquisitionWithNoWarmPodTimesOut() {
        ClusterImagePool pool = pool(a, config(1, 4, Duration.ofMillis(500)));

        assertThatThrownBy(() -> pool.acquire().block(WAIT))
                .as("acquisition").isInstanceOf(AcquireTimeoutException.class);
        await("none waiting").atMost(WAIT).until(() -> pool.metrics().pending() == 0);
    }

    @Test
    void aDegradedPoolFailsAnAcquisitionAtOnceInsteadOfWaiting() {
        ClusterImagePool pool = pool(a, config(1, 4, WAIT));
        a.creation().breakers().circuitBreaker("pool:" + image).transitionToForcedOpenState();

        long start = System.nanoTime();
        assertThatThrownBy(() -> pool.acquire().block(WAIT))
                .as("acquisition").isInstanceOf(PoolDegradedException.class);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to fail").isLessThan(Duration.ofSeconds(5));
        assertThat(pool.degraded()).as("degraded").isTrue();
    }

    @Test
    void invalidateDeletesThePodAndAbandonLetsItBe() {
        PoolConfig config = config(2, 4, Duration.ofSeconds(10));
        ClusterImagePool pool = pool(a, config);
        fill(config, 2);
        await("2 warm").atMost(WAIT).until(() -> pool.metrics().warm() == 2);
        PooledPod invalidated = pool.acquire().block(WAIT);
        PooledPod abandoned = pool.acquire().block(WAIT);

        invalidated.invalidate();
        abandoned.abandon();
        abandoned.invalidate();

        assertThat(pool.metrics().claimed()).as("claimed").isZero();
        await("the invalidated pod is deleted").atMost(WAIT).until(() -> !exists(invalidated.pod().id()));
        assertThat(PodStates.label(apiPod(abandoned.pod().id()), Labels.STATE)).as("the abandoned pod, still claimed")
                .isEqualTo(Labels.STATE_CLAIMED);
    }

    @Test
    void anAcquisitionCancelledWhileItsTakeIsInFlightTakesNothing() {
        PoolConfig config = config(1, 4, WAIT);
        ClusterImagePool pool = pool(a, config);
        fill(config, 1);
        await("1 warm").atMost(WAIT).until(() -> pool.metrics().warm() == 1);
        String podId = a.pods().warmPods(image).get(0).id();
        Hold takes = harness.faults().hold("patch", "pods");
        try {
            Disposable acquisition = pool.acquire().subscribe(pod -> { }, error -> { });
            await("the take in flight").atMost(WAIT).until(() -> takes.arrived() > 0);

            acquisition.dispose();
            takes.release();

            await("the pod the cancelled take won is deleted").atMost(WAIT).until(() -> !exists(podId));
            assertThat(pool.metrics().claimed()).as("claimed").isZero();
        } finally {
            takes.release();
        }
    }

    @Test
    void aSizeZeroPoolCreatesAJobPodPerAcquisitionAndDeletesItOnInvalidate() {
        PoolConfig config = new PoolConfig(image, 0, 4, 4, WAIT, "exec", "sh -c", Duration.ofSeconds(10));
        ClusterImagePool pool = pool(a, config);

        PooledPod taken = pool.acquire().block(WAIT);

        assertThat(taken.pod().id()).as("a Job's pod").startsWith(PodCreation.JOB_PREFIX);
        assertThat(pool.metrics().claimed()).as("claimed").isEqualTo(1);
        await("no Job pod being created").atMost(WAIT).until(() -> pool.metrics().creating() == 0);
        taken.invalidate();
        await("the Job is deleted").atMost(WAIT).until(() -> harness.batch().listNamespacedJob(harness.namespace())
                .execute().getItems().isEmpty());
    }

    private ClusterImagePool pool(TestDrivers.Replica replica, PoolConfig config) {
        return new ClusterImagePool(config, replica.pods(), replica.driver(), PoolObserver.NONE);
    }

    private PoolConfig config(int size, int maxPending, Duration acquireTimeout) {
        return new PoolConfig(image, size, size + 4, maxPending, acquireTimeout, "exec", "sh -c", Duration.ofSeconds(10));
    }

    /** The leader's part, done by the test: the pool's warm pods brought to {@code warm} (claimed pods not counted). */
    private void fill(PoolConfig config, int warm) {
        reconciler.reconcile(config, warm).block(WAIT);
    }

    private List<V1Pod> apiPods() throws Exception {
        return harness.core().listNamespacedPod(harness.namespace()).execute().getItems().stream()
                .filter(pod -> !PodStates.terminating(pod))
                .toList();
    }

    private boolean exists(String podId) throws Exception {
        return apiPods().stream().anyMatch(pod -> PodStates.name(pod).equals(podId));
    }

    private static V1Pod apiPod(String name) {
        try {
            return harness.core().readNamespacedPod(name, harness.namespace()).execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
