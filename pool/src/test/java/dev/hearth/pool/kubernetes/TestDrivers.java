package dev.hearth.pool.kubernetes;

import java.time.Duration;

import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import dev.hearth.runner.client.RunnerClient;
import io.kubernetes.client.openapi.ApiClient;

/** Replicas' Kubernetes sides wired to a harness, with settings fast enough for tests. */
final class TestDrivers {

    static final RunnerClient RUNNERS = RunnerClient.create(Duration.ofSeconds(2));
    static final PodSecrets POD_SECRETS = new PodSecrets("test-installation-key");

    private TestDrivers() {
    }

    /** One replica: its API adapter, its cache (started), its pod creation and its driver. Closing closes them. */
    record Replica(KubernetesApi api, ClusterPods pods, PodCreation creation, KubernetesPodDriver driver)
            implements AutoCloseable {
        @Override
        public void close() {
            driver.close();
            pods.close();
        }
    }

    static KubernetesDriverConfig config(KubernetesHarness harness) {
        return KubernetesDriverConfig.of(harness.namespace())
                .withOwner(new KubernetesDriverConfig.Owner("apps/v1", "Deployment", "hearth-gateway", "uid-1"))
                .withRetry(new KubernetesDriverConfig.Retry(8, Duration.ofMillis(20), Duration.ofMillis(200), 0.5))
                .withBreaker(new KubernetesDriverConfig.Breaker(50, 4, 2, Duration.ofSeconds(1), 1))
                .withReconcile(new KubernetesDriverConfig.Reconcile(4, Duration.ofMillis(50)));
    }

    static KubernetesPoolSpec spec(KubernetesHarness harness) {
        return KubernetesPoolSpec.builder("ghcr.io/hearth/runner:test")
                .runnerPort(harness.runnerPort())
                .request("cpu", "100m")
                .request("memory", "128Mi")
                .limit("cpu", "1")
                .limit("memory", "256Mi")
                .build();
    }

    static Replica replica(KubernetesHarness harness) {
        return replica(harness, config(harness), POD_SECRETS);
    }

    static Replica replica(KubernetesHarness harness, KubernetesDriverConfig config) {
        return replica(harness, config, POD_SECRETS);
    }

    static Replica replica(KubernetesHarness harness, KubernetesDriverConfig config, PodSecrets podSecrets) {
        return replica(harness, harness.apiClient(), config, podSecrets);
    }

    /** One replica whose API calls go through {@code apiClient} (a client of the harness, e.g. one with stamps). */
    static Replica replica(KubernetesHarness harness, ApiClient apiClient, KubernetesDriverConfig config,
                           PodSecrets podSecrets) {
        KubernetesPoolSpec spec = spec(harness);
        KubernetesApi api = new KubernetesApi(apiClient, config);
        ClusterPods pods = new ClusterPods(harness.watchClient(), api, config, podSecrets, image -> spec);
        PodCreation creation = new PodCreation(api, config, podSecrets, pool -> spec, pods, RUNNERS);
        KubernetesPodDriver driver = new KubernetesPodDriver(pods, creation);
        pods.start().block(Duration.ofSeconds(20));
        return new Replica(api, pods, creation, driver);
    }

    static PoolConfig pool(String image, int size) {
        return new PoolConfig(image, size, Math.max(size, 1) + 4, 8, Duration.ofSeconds(5), "exec", "sh -c",
                Duration.ofSeconds(10));
    }
}
