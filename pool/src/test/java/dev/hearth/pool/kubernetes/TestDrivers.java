package dev.hearth.pool.kubernetes;

import java.time.Duration;

import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import dev.hearth.runner.client.RunnerClient;

/** Drivers and pools wired to a harness, with settings fast enough for tests. */
final class TestDrivers {

    static final RunnerClient RUNNERS = RunnerClient.create(Duration.ofSeconds(2));
    static final PodSecrets POD_SECRETS = new PodSecrets("test-installation-key");

    private TestDrivers() {
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

    static KubernetesPodDriver driver(KubernetesHarness harness) {
        return driver(harness, config(harness));
    }

    static KubernetesPodDriver driver(KubernetesHarness harness, KubernetesDriverConfig config) {
        KubernetesPoolSpec spec = spec(harness);
        KubernetesPodDriver driver = new KubernetesPodDriver(harness.apiClient(), harness.watchClient(), config,
                POD_SECRETS, image -> spec, RUNNERS);
        driver.start().block(Duration.ofSeconds(20));
        return driver;
    }

    static PoolConfig pool(String image, int size) {
        return new PoolConfig(image, size, Math.max(size, 1) + 4, 8, Duration.ofSeconds(5), "exec", "sh -c",
                Duration.ofSeconds(10));
    }
}
