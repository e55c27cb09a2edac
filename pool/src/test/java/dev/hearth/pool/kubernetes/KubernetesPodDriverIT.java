package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.kubernetes.harness.Hold;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import dev.hearth.runner.client.RunnerClient;
import io.kubernetes.client.openapi.models.V1Pod;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class KubernetesPodDriverIT {

    @RegisterExtension
    static final KubernetesHarness harness = KubernetesHarness.builder().build();
    TestDrivers.Replica replica;
    KubernetesPodDriver driver;
    ClusterPods pods;

    @BeforeEach
    void startDriver() {
        replica = TestDrivers.replica(harness);
        driver = replica.driver();
        pods = replica.pods();
    }

    @AfterEach
    void closeDriver() {
        harness.faults().neverReady(false).crashAfter(null);
        replica.close();
    }

    @Test
    void createsWarmPodThatAnswersHealthAtItsPodIp() throws Exception {
        Pod pod = driver.create(TestDrivers.pool("python:3.12-slim", 2)).block(Duration.ofSeconds(20));

        assertThat(pod.host()).as("pod address is the pod IP").startsWith("127.0.").isNotEqualTo("127.0.0.1");
        assertThat(pod.port()).as("runner port").isEqualTo(harness.runnerPort());
        assertThat(TestDrivers.RUNNERS.health(pod.host(), pod.port()).block(Duration.ofSeconds(5)))
                .as("runner health at the pod IP").isNotNull();
        V1Pod stored = harness.core().readNamespacedPod(pod.id(), harness.namespace()).execute();
        assertThat(PodStates.label(stored, Labels.STATE)).as("state label").isEqualTo(Labels.STATE_WARM);
        assertThat(PodStates.label(stored, Labels.POOL)).as("pool label").isEqualTo(Labels.poolValue("python:3.12-slim"));
        assertThat(stored.getMetadata().getAnnotations()).as("raw image annotation")
                .containsEntry(Labels.IMAGE_ANNOTATION, "python:3.12-slim");
        assertThat(stored.getSpec().getAutomountServiceAccountToken()).as("stored automountServiceAccountToken").isFalse();
        assertThat(stored.getSpec().getContainers().get(0).getSecurityContext().getCapabilities().getDrop())
                .as("stored capabilities dropped").containsExactly("ALL");
        assertThat(stored.getMetadata().getOwnerReferences()).as("owner reference").singleElement()
                .satisfies(owner -> assertThat(owner.getName()).isEqualTo("hearth-gateway"));
    }

    @Test
    void deleteRemovesPodAndStopsItsRunner() throws Exception {
        Pod pod = driver.create(TestDrivers.pool("node:22", 1)).block(Duration.ofSeconds(20));
        assertThat(harness.kubelet().running(pod.id())).as("runner before delete").isTrue();

        driver.delete(pod.id()).block(Duration.ofSeconds(10));

        await("runner stopped").atMost(Duration.ofSeconds(30)).until(() -> !harness.kubelet().running(pod.id()));
        assertThat(harness.core().listNamespacedPod(harness.namespace()).execute().getItems())
                .as("pods left").noneMatch(p -> p.getMetadata().getName().equals(pod.id()));
        // A fresh client: a pooled keep-alive connection may outlive Runner.close() (see the report).
        RunnerClient fresh = RunnerClient.create(Duration.ofSeconds(1));
        assertThatThrownBy(() -> fresh.health(pod.host(), pod.port()).block(Duration.ofSeconds(2)))
                .as("health after delete").isNotNull();
        driver.delete(pod.id()).block(Duration.ofSeconds(10));
    }

    @Test
    void sizeZeroPoolServesThroughAJobThatIsGoneAfterDelete() throws Exception {
        Pod pod = driver.create(TestDrivers.pool("ruby:3.3", 0)).block(Duration.ofSeconds(20));

        assertThat(pod.id()).as("id is the Job's name").startsWith(PodCreation.JOB_PREFIX);
        assertThat(TestDrivers.RUNNERS.health(pod.host(), pod.port()).block(Duration.ofSeconds(5)))
                .as("Job pod serves").isNotNull();
        var job = harness.batch().readNamespacedJob(pod.id(), harness.namespace()).execute();
        assertThat(job.getSpec().getBackoffLimit()).as("backoffLimit").isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).as("activeDeadlineSeconds").isEqualTo(3600L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).as("ttlSecondsAfterFinished").isEqualTo(60);
        assertThat(pods.take(pod).block()).as("a Job's pod is born claimed").isFalse();

        driver.delete(pod.id()).block(Duration.ofSeconds(10));

        assertThat(harness.batch().listNamespacedJob(harness.namespace()).execute().getItems())
                .as("jobs left").isEmpty();
        await("Job's pod gone").atMost(Duration.ofSeconds(30)).until(() -> harness.core()
                .listNamespacedPod(harness.namespace()).labelSelector(Labels.JOB_NAME + "=" + pod.id())
                .execute().getItems().isEmpty());
    }

    @Test
    void crashedPodShowsUpInTerminations() {
        List<String> terminated = new CopyOnWriteArrayList<>();
        Disposable watching = driver.terminations().subscribe(terminated::add);
        try {
            Pod pod = driver.create(TestDrivers.pool("golang:1.23", 1)).block(Duration.ofSeconds(20));
            Pod deleted = driver.create(TestDrivers.pool("golang:1.23", 1)).block(Duration.ofSeconds(20));

            harness.kubelet().crash(pod.id());
            driver.delete(deleted.id()).block(Duration.ofSeconds(10));

            await("crash reported").atMost(Duration.ofSeconds(30)).until(() -> terminated.contains(pod.id()));
            assertThat(terminated).as("a pod deleted by the driver is no termination").doesNotContain(deleted.id());
        } finally {
            watching.dispose();
        }
    }

    @Test
    void podThatCrashesAfterStartingIsReported() {
        harness.faults().crashAfter(Duration.ofMillis(500));
        Pod pod = driver.create(TestDrivers.pool("golang:1.23", 1)).block(Duration.ofSeconds(20));

        String terminated = driver.terminations().next().block(Duration.ofSeconds(10));

        assertThat(terminated).as("terminated pod").isEqualTo(pod.id());
    }

    @Test
    void podThatNeverBecomesReadyFailsCreationAndIsDeleted() throws Exception {
        harness.faults().neverReady(true);
        PoolConfig pool = new PoolConfig("php:8.3", 1, 4, 4, Duration.ofSeconds(5), "exec", "sh -c",
                Duration.ofSeconds(2));

        assertThatThrownBy(() -> driver.create(pool).block(Duration.ofSeconds(20)))
                .as("creation error").isInstanceOf(PodStartException.class).hasMessageContaining("not warm within");

        await("unready pod deleted").atMost(Duration.ofSeconds(30)).until(() -> harness.core()
                .listNamespacedPod(harness.namespace()).labelSelector(Labels.POOL + "=" + Labels.poolValue("php:8.3"))
                .execute().getItems().isEmpty());
    }

    @Test
    void ofTwoConcurrentClaimsExactlyOneWins() throws Exception {
        Pod pod = driver.create(TestDrivers.pool("python:3.12-slim", 2)).block(Duration.ofSeconds(20));
        try (TestDrivers.Replica other = TestDrivers.replica(harness)) {
            List<Boolean> results = Flux.merge(pods.take(pod), other.pods().take(pod))
                    .collectList()
                    .block(Duration.ofSeconds(20));

            assertThat(results).as("claim results").containsExactlyInAnyOrder(true, false);
            V1Pod stored = harness.core().readNamespacedPod(pod.id(), harness.namespace()).execute();
            assertThat(PodStates.label(stored, Labels.STATE)).as("state label").isEqualTo(Labels.STATE_CLAIMED);
            assertThat(pods.take(pod).block(Duration.ofSeconds(10))).as("claim of a claimed pod").isFalse();
        }
    }

    @Test
    void ofManyConcurrentClaimsOnTwoReplicasExactlyOneWins() {
        Pod pod = driver.create(TestDrivers.pool("python:3.12-slim", 2)).block(Duration.ofSeconds(20));
        try (TestDrivers.Replica other = TestDrivers.replica(harness)) {
            List<Boolean> results = Flux.range(0, 8)
                    .flatMap(i -> (i % 2 == 0 ? pods : other.pods()).take(pod))
                    .collectList()
                    .block(Duration.ofSeconds(20));

            assertThat(results).as("claim results").hasSize(8).containsOnlyOnce(true);
        }
    }

    @Test
    void claimSucceedsAfterAnUnrelatedWriteMadeTheCacheStale() throws Exception {
        Pod pod = driver.create(TestDrivers.pool("python:3.12-slim", 2)).block(Duration.ofSeconds(20));
        V1Pod stored = harness.core().readNamespacedPod(pod.id(), harness.namespace()).execute();
        stored.getMetadata().putAnnotationsItem("touched", "1");
        harness.core().replaceNamespacedPod(pod.id(), harness.namespace(), stored).execute();

        assertThat(pods.take(pod).block(Duration.ofSeconds(10))).as("claim").isTrue();
        assertThat(pods.take(pod).block(Duration.ofSeconds(10))).as("second claim").isFalse();
    }

    @Test
    void mergePatchWithAStaleResourceVersionIsRejected() throws Exception {
        Pod pod = driver.create(TestDrivers.pool("python:3.12-slim", 2)).block(Duration.ofSeconds(20));
        V1Pod stored = harness.core().readNamespacedPod(pod.id(), harness.namespace()).execute();
        MetadataPatch patch = new MetadataPatch()
                .resourceVersion(stored.getMetadata().getResourceVersion())
                .annotation("touched", "1");
        replica.api().patchPodMetadata(harness.namespace(), pod.id(), patch).block(Duration.ofSeconds(10));

        assertThatThrownBy(() -> replica.api().patchPodMetadata(harness.namespace(), pod.id(), patch).block(Duration.ofSeconds(10)))
                .as("second patch naming the same resourceVersion")
                .satisfies(error -> assertThat(KubernetesApi.isStatus(reactor.core.Exceptions.unwrap(error), 409)).as("409").isTrue());
    }

    @Test
    void createsPodsInParallel() {
        List<Pod> pods = Flux.range(0, 4)
                .flatMap(i -> driver.create(TestDrivers.pool("node:22", 4)))
                .collectList()
                .block(Duration.ofSeconds(30));

        assertThat(pods).as("pods").hasSize(4).extracting(Pod::host).doesNotHaveDuplicates();
        Mono.when(pods.stream().map(pod -> driver.delete(pod.id())).toList()).block(Duration.ofSeconds(10));
    }

    /** Where a creation is cancelled: at once, while one of its API calls is held in flight, or awaiting warm. */
    enum CancelPoint {
        AT_ONCE, CREATING_THE_SECRET, CREATING_THE_POD_OR_JOB, HANDING_THE_SECRET_OVER, AWAITING_WARM
    }

    @ParameterizedTest(name = "a {0} creation cancelled {1}")
    @CsvSource({
            "warm, AT_ONCE", "warm, CREATING_THE_SECRET", "warm, CREATING_THE_POD_OR_JOB", "warm, HANDING_THE_SECRET_OVER",
            "warm, AWAITING_WARM",
            "job, AT_ONCE", "job, CREATING_THE_SECRET", "job, CREATING_THE_POD_OR_JOB", "job, HANDING_THE_SECRET_OVER",
            "job, AWAITING_WARM"})
    void aCreationCancelledAtAnyPointLeavesNoPodJobOrSecret(String kind, CancelPoint point) throws Exception {
        boolean job = kind.equals("job");
        PoolConfig pool = TestDrivers.pool("cancel/" + kind + ":1", job ? 0 : 1);
        Hold hold = switch (point) {
            case CREATING_THE_SECRET -> harness.faults().hold("create", "secrets");
            case CREATING_THE_POD_OR_JOB -> harness.faults().hold("create", job ? "jobs" : "pods");
            case HANDING_THE_SECRET_OVER -> harness.faults().hold("patch", "secrets");
            default -> null;
        };
        harness.faults().neverReady(point == CancelPoint.AWAITING_WARM);
        try {
            Disposable creation = driver.create(pool).subscribe(pod -> { }, error -> { });
            if (hold != null) {
                await("the call held in flight").atMost(Duration.ofSeconds(30)).until(() -> hold.arrived() > 0);
            } else if (point == CancelPoint.AWAITING_WARM) {
                await("the pod created, not ready").atMost(Duration.ofSeconds(30)).until(() -> !harness.core()
                        .listNamespacedPod(harness.namespace()).labelSelector(Labels.POOL + "=" + Labels.poolValue(pool.image()))
                        .execute().getItems().isEmpty());
            }

            creation.dispose();
        } finally {
            if (hold != null) {
                hold.release();
            }
        }

        await("no pod, Job or Secret of the cancelled creation").atMost(Duration.ofSeconds(30)).until(() -> left().isEmpty());
    }

    private List<String> left() throws Exception {
        List<String> left = new java.util.ArrayList<>();
        harness.core().listNamespacedPod(harness.namespace()).execute().getItems()
                .forEach(pod -> left.add("pod " + pod.getMetadata().getName()));
        harness.batch().listNamespacedJob(harness.namespace()).execute().getItems()
                .forEach(job -> left.add("job " + job.getMetadata().getName()));
        harness.core().listNamespacedSecret(harness.namespace()).execute().getItems()
                .forEach(secret -> left.add("secret " + secret.getMetadata().getName()));
        return left;
    }
}
