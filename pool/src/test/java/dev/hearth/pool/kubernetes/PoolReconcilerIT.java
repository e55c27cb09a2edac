package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import io.kubernetes.client.openapi.models.V1Pod;

class PoolReconcilerIT {

    @RegisterExtension
    static final KubernetesHarness harness = KubernetesHarness.builder().build();
    TestDrivers.Replica replica;
    KubernetesPodDriver driver;
    ClusterPods pods;
    PoolReconciler reconciler;

    @BeforeEach
    void startDriver() {
        replica = TestDrivers.replica(harness);
        driver = replica.driver();
        pods = replica.pods();
        reconciler = new PoolReconciler(pods, replica.creation(), TestDrivers.config(harness).reconcile(), PoolObserver.NONE);
    }

    @AfterEach
    void closeDriver() throws Exception {
        harness.faults().neverReady(false);
        reconciler.reapOrphans(Set.of()).block(Duration.ofSeconds(20));
        replica.close();
    }

    @Test
    void convergesToTheWantedCountAndDeletesTheSurplus() throws Exception {
        PoolConfig pool = TestDrivers.pool("python:3.12-slim", 5);

        ReconcileReport first = reconciler.reconcile(pool, 5).block(Duration.ofSeconds(20));
        ReconcileReport second = reconciler.reconcile(pool, 5).block(Duration.ofSeconds(20));

        assertThat(first.created()).as("created by the first pass").isEqualTo(5);
        assertThat(second.created()).as("created by a pass right after (expectations)").isZero();
        await("5 ready pods").atMost(Duration.ofSeconds(30)).until(() -> readyPods(pool) == 5);

        ReconcileReport shrink = reconciler.reconcile(pool, 2).block(Duration.ofSeconds(20));

        assertThat(shrink.deletedSurplus()).as("surplus deleted").isEqualTo(3);
        await("2 pods left").atMost(Duration.ofSeconds(30)).until(() -> apiPods(pool).size() == 2);
    }

    @Test
    void replacesFailedPodsAndDeletesOrphans() throws Exception {
        PoolConfig pool = TestDrivers.pool("node:22", 2);
        Pod orphan = driver.create(TestDrivers.pool("removed-image:1", 1)).block(Duration.ofSeconds(20));
        reconciler.reconcile(pool, 2).block(Duration.ofSeconds(20));
        await("2 ready pods").atMost(Duration.ofSeconds(30)).until(() -> readyPods(pool) == 2);
        String crashed = apiPods(pool).get(0).getMetadata().getName();
        harness.kubelet().crash(crashed);
        await("crash seen").atMost(Duration.ofSeconds(30)).until(() -> pods.all().stream()
                .anyMatch(pod -> PodStates.name(pod).equals(crashed) && PodStates.ended(pod)));

        ReconcileReport report = reconciler.reconcile(pool, 2).block(Duration.ofSeconds(20));
        int orphans = reconciler.reapOrphans(Set.of(pool.image())).block(Duration.ofSeconds(20));

        assertThat(report.deletedFailed()).as("failed pods deleted").isEqualTo(1);
        assertThat(report.created()).as("replacements").isEqualTo(1);
        assertThat(orphans).as("orphans deleted").isEqualTo(1);
        await("orphan gone").atMost(Duration.ofSeconds(30)).until(() -> !harness.kubelet().running(orphan.id()));
        await("2 ready pods again").atMost(Duration.ofSeconds(30)).until(() -> readyPods(pool) == 2);
    }

    @Test
    void podsMadeUnderAnotherPodSecretKeyAreNeverClaimedAndAreReplaced() throws Exception {
        PoolConfig pool = TestDrivers.pool("ruby:3.4", 1);
        try (TestDrivers.Replica oldKey = TestDrivers.replica(harness, TestDrivers.config(harness),
                new PodSecrets("the-previous-key"))) {
            Pod stale = oldKey.driver().create(pool).block(Duration.ofSeconds(20));
            await("the stale pod is cached").atMost(Duration.ofSeconds(30)).until(() -> pods.all().stream()
                    .anyMatch(pod -> PodStates.name(pod).equals(stale.id()) && PodStates.ready(pod)));

            assertThat(pods.warmPods(pool.image())).as("claimable warm pods")
                    .extracting(Pod::id).doesNotContain(stale.id());
            ReconcileReport report = reconciler.reconcile(pool, 1).block(Duration.ofSeconds(20));

            assertThat(report.created()).as("a pod under the current key").isEqualTo(1);
            await("the stale pod is deleted").atMost(Duration.ofSeconds(30)).until(() -> !harness.kubelet().running(stale.id()));
        }
        await("1 claimable pod").atMost(Duration.ofSeconds(30)).until(() ->
                pods.warmPods(pool.image()).size() == 1);
    }

    @Test
    void replacesPodsUnreadyForLongerThanTheStartTimeout() throws Exception {
        PoolConfig pool = new PoolConfig("php:8.3", 1, 4, 4, Duration.ofSeconds(5), "exec", "sh -c",
                Duration.ofSeconds(1));
        harness.faults().neverReady(true);
        reconciler.reconcile(pool, 1).block(Duration.ofSeconds(20));
        await("the unready pod cached, past its start timeout").atMost(Duration.ofSeconds(30))
                .until(() -> pods.ofPool(pool.image()).stream().anyMatch(pod -> !PodStates.ready(pod)
                        && PodStates.created(pod).plus(pool.startTimeout()).isBefore(Instant.now())));
        harness.faults().neverReady(false);

        ReconcileReport report = reconciler.reconcile(pool, 1).block(Duration.ofSeconds(20));

        assertThat(report.deletedUnready()).as("unready pods deleted").isEqualTo(1);
        assertThat(report.created()).as("replacement").isEqualTo(1);
        await("1 ready pod").atMost(Duration.ofSeconds(30)).until(() -> readyPods(pool) == 1 && apiPods(pool).size() == 1);
    }

    private static List<V1Pod> apiPods(PoolConfig pool) throws Exception {
        return harness.core().listNamespacedPod(harness.namespace())
                .labelSelector(Labels.POOL + "=" + Labels.poolValue(pool.image()))
                .execute().getItems();
    }

    private static long readyPods(PoolConfig pool) throws Exception {
        return apiPods(pool).stream().filter(PodStates::ready).count();
    }
}
