package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import reactor.test.StepVerifier;

/** A replica's cache of pods against the harness: what a claim draws from it. */
class ClusterPodsIT {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final AtomicInteger IMAGES = new AtomicInteger();
    @RegisterExtension
    static final KubernetesHarness harness = KubernetesHarness.builder().build();
    TestDrivers.Replica replica;
    ClusterPods pods;
    PoolReconciler reconciler;
    String image;

    @BeforeEach
    void startReplica() {
        replica = TestDrivers.replica(harness);
        pods = replica.pods();
        reconciler = new PoolReconciler(pods, replica.creation(), TestDrivers.config(harness).reconcile(),
                PoolObserver.NONE);
        image = "cluster/pods-" + IMAGES.incrementAndGet() + ":1";
    }

    @AfterEach
    void deleteEverything() {
        reconciler.reapOrphans(Set.of()).block(WAIT);
        replica.close();
    }

    @Test
    void warmPodsShuffledDrawsEachClaimableWarmPodOnce() {
        fill(3);

        List<String> drawn = pods.warmPodsShuffled(image).map(Pod::id).collectList().block(WAIT);

        assertThat(drawn).as("drawn pods")
                .hasSize(3)
                .containsExactlyInAnyOrderElementsOf(pods.warmPods(image).stream().map(Pod::id).toList());
    }

    @Test
    void warmPodsShuffledOfAPoolWithNoPodCompletesEmpty() {
        StepVerifier.create(pods.warmPodsShuffled("cluster/never-seen:1"))
                .as("a pool the cache has never held a pod of")
                .verifyComplete();
    }

    /**
     * A claim looks at the warm pods once, then takes them one by one: a pod taken or deleted meanwhile is read as it
     * is when drawn, and skipped, rather than handed out as the look saw it.
     */
    @Test
    void warmPodsShuffledSkipsPodsTakenOrDeletedAfterItsLook() {
        fill(3);
        List<Pod> warm = pods.warmPods(image);
        Pod taken = warm.get(0);
        Pod deleted = warm.get(1);

        StepVerifier.create(pods.warmPodsShuffled(image).map(Pod::id), 0)
                .then(() -> {
                    assertThat(pods.take(taken).block(WAIT)).as("taken").isTrue();
                    replica.driver().delete(deleted.id()).block(WAIT);
                    await("the cache shows the take and the deletion").atMost(WAIT)
                            .until(() -> pods.warmCount(image) == 1);
                })
                .thenRequest(Long.MAX_VALUE)
                .expectNext(warm.get(2).id())
                .verifyComplete();
    }

    /** The leader's part, done by the test: {@code warm} warm pods of the image, Ready in the cache. */
    private void fill(int warm) {
        PoolConfig config = TestDrivers.pool(image, warm);
        reconciler.reconcile(config, warm).block(WAIT);
        await(warm + " warm in the cache").atMost(WAIT).until(() -> pods.warmCount(image) == warm);
    }
}
