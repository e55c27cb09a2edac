package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.Pod;
import dev.hearth.pool.kubernetes.harness.ApiAccess;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import reactor.core.publisher.Flux;

/**
 * The RBAC of {@link KubernetesRbac#RULES} is what the driver needs, no more: the harness refuses every other
 * call with 403 (so any test of the driver fails on a missing rule), and one pass through everything the
 * driver does — owner lookup, informers, warm pods, a contended claim, a size-0 Job, leader election — uses
 * every verb of every rule. Along the way: each pod's Secret goes with its pod, and with a pod the API refused.
 */
class KubernetesRbacIT {

    @RegisterExtension
    static final KubernetesHarness harness = KubernetesHarness.builder().build();

    @Test
    void theDriverUsesEveryRuleAndNothingElse() throws Exception {
        KubernetesApi api = new KubernetesApi(harness.apiClient(), TestDrivers.config(harness));
        V1ConfigMap owner = harness.core().createNamespacedConfigMap(harness.namespace(), new V1ConfigMap()
                .apiVersion("v1").kind("ConfigMap").metadata(new V1ObjectMeta().name("hearth-pods-owner"))
                .data(Map.of("purpose", "owner of runtime pods"))).execute();
        KubernetesDriverConfig.Owner resolved = api.ownerConfigMap(harness.namespace(), "hearth-pods-owner")
                .block(Duration.ofSeconds(10));
        assertThat(resolved).as("owner").isEqualTo(new KubernetesDriverConfig.Owner("v1", "ConfigMap",
                "hearth-pods-owner", owner.getMetadata().getUid()));

        KubernetesDriverConfig config = TestDrivers.config(harness).withOwner(resolved);
        try (TestDrivers.Replica replica = TestDrivers.replica(harness, config);
             TestDrivers.Replica other = TestDrivers.replica(harness, config)) {
            KubernetesPodDriver driver = replica.driver();
            Pod warm = driver.create(TestDrivers.pool("python:3.12-slim", 1)).block(Duration.ofSeconds(20));
            assertThat(harness.core().readNamespacedPod(warm.id(), harness.namespace()).execute().getMetadata()
                    .getOwnerReferences()).as("owner reference").singleElement()
                    .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(owner.getMetadata().getUid()));
            List<Boolean> claims = Flux.merge(replica.pods().take(warm), other.pods().take(warm))
                    .collectList().block(Duration.ofSeconds(20));
            assertThat(claims).as("contended claim").containsExactlyInAnyOrder(true, false);
            driver.delete(warm.id()).block(Duration.ofSeconds(10));

            Pod job = driver.create(TestDrivers.pool("ruby:3.3", 0)).block(Duration.ofSeconds(20));
            var stored = harness.batch().readNamespacedJob(job.id(), harness.namespace()).execute();
            assertThat(replica.api().createJob(harness.namespace(), stored.metadata(stored.getMetadata()
                            .resourceVersion(null))).block(Duration.ofSeconds(10)).getMetadata().getUid())
                    .as("a repeated Job creation (409) reads the stored Job back, uid and all")
                    .isEqualTo(stored.getMetadata().getUid());
            driver.delete(job.id()).block(Duration.ofSeconds(10));

            harness.core().createNamespacedSecret(harness.namespace(), new io.kubernetes.client.openapi.models.V1Secret()
                    .apiVersion("v1").kind("Secret").metadata(new V1ObjectMeta().name("hearth-p-leftover")
                            .labels(Map.of(Labels.POD_ID, "hearth-p-leftover", Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE))))
                    .execute();
            // The deleted pod's and Job's Secrets go with them (the harness's garbage collector): wait for that, so
            // the sweep finds exactly the one Secret nothing would ever remove.
            await("only the leftover Secret").atMost(Duration.ofSeconds(30)).until(() -> harness.core()
                    .listNamespacedSecret(harness.namespace()).execute().getItems().stream()
                    .map(secret -> secret.getMetadata().getName()).toList().equals(List.of("hearth-p-leftover")));
            assertThat(new SecretSweeper(replica.api(), replica.pods(), config, Duration.ZERO).sweep().block(Duration.ofSeconds(10)))
                    .as("Secrets swept: the one whose pod never existed").isEqualTo(1);

            harness.faults().rejectPodCreations(true);
            try {
                assertThatThrownBy(() -> driver.create(TestDrivers.pool("python:3.12-slim", 1)).block(Duration.ofSeconds(20)))
                        .as("a pod creation the API refuses").hasMessageContaining("403");
            } finally {
                harness.faults().rejectPodCreations(false);
            }
        }
        await("no pod's Secret outlives its pod").atMost(Duration.ofSeconds(30)).until(() ->
                harness.core().listNamespacedSecret(harness.namespace()).execute().getItems().isEmpty());
        try (LeaderElection leader = new LeaderElection(api, new LeaderElection.Settings(harness.namespace(),
                "rbac", "replica-a", Duration.ofSeconds(3), Duration.ofMillis(1500), Duration.ofMillis(200))).start()) {
            await("leads and renews").atMost(Duration.ofSeconds(30)).until(() -> leader.isLeader()
                    && harness.observedAccess().stream().anyMatch(access -> access.verb().equals("update")));
        }

        assertThat(harness.observedAccess().stream().map(ApiAccess::toString).collect(Collectors.toSet()))
                .as("API calls of the driver")
                .isEqualTo(KubernetesRbac.RULES.stream()
                        .flatMap(rule -> rule.verbs().stream().map(verb -> new ApiAccess(rule.apiGroup(),
                                rule.resource(), verb, true).toString()))
                        .collect(Collectors.toSet()));
    }

    @Test
    void aMissingOwnerConfigMapIsAClearStartupError() {
        KubernetesApi api = new KubernetesApi(harness.apiClient(), TestDrivers.config(harness));

        assertThatThrownBy(() -> api.ownerConfigMap(harness.namespace(), "absent").block(Duration.ofSeconds(10)))
                .hasMessageContaining("owner ConfigMap 'absent' not found in namespace '" + harness.namespace() + "'");
    }

    @Test
    void aCallOutsideTheRulesIsForbidden() {
        assertThatThrownBy(() -> new io.kubernetes.client.openapi.apis.CoreV1Api(harness.apiClient())
                .listNamespacedService(harness.namespace()).execute())
                .as("list services")
                .satisfies(error -> assertThat(KubernetesApi.isStatus(error, 403)).as("403").isTrue());
        assertThat(Set.copyOf(harness.observedAccess())).as("the refused call is not recorded as used")
                .noneMatch(access -> access.resource().equals("services"));
    }
}
