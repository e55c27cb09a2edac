package dev.hearth.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.gateway.api.error.ExecutorProperties;
import dev.hearth.gateway.config.HearthProperties;
import dev.hearth.gateway.config.KubernetesProperties;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.kubernetes.KubernetesPoolSpec;

/**
 * What the chart renders is what the gateway binds: its configuration records built from the rendered
 * application.yaml, environment and Secret, over the jar's own application.yml, exactly as Spring Boot loads them.
 */
class GatewayConfigBindingTest {

    @TempDir
    Path scratch;

    @Test
    void defaultsBindToTheKubernetesDriverWithTheChartsPools() {
        GatewayEnvironment gateway = GatewayEnvironment.of(HelmChart.render(), scratch);

        assertThat(gateway.property("hearth.driver")).as("driver").isEqualTo("kubernetes");
        HearthProperties hearth = gateway.hearth();
        assertThat(hearth.poolConfigs()).as("pools: the chart's, none of the jar's local/* pools")
                .extracting(PoolConfig::image).containsExactly("python:3.12-slim", "node:22-slim");
        PoolConfig python = hearth.poolConfigs().get(0);
        assertThat(python.adapter()).as("python adapter").isEqualTo("exec");
        assertThat(python.command()).as("python command").isEqualTo("python3");
        assertThat(python.size()).as("size from poolDefaults").isEqualTo(1);
        assertThat(python.maxPending()).as("max-pending from poolDefaults.maxPending").isEqualTo(64);
        assertThat(python.acquireTimeout()).as("acquire-timeout").isEqualTo(Duration.ofSeconds(30));
        assertThat(hearth.poolConfigs().get(1).adapter()).as("node adapter").isEqualTo("http");
        assertThat(hearth.storageRoot()).as("storage root: the storage mount")
                .isEqualTo(Path.of(Yamls.string(container(), "volumeMounts[2].mountPath")));
        assertThat(hearth.workDir().startsWith("/tmp")).as("work dir on the writable /tmp").isTrue();
        assertThat(hearth.runtimes().inactivityThreshold()).as("inactivity threshold").isEqualTo(Duration.ofSeconds(60));
        assertThat(hearth.runtimes().leaseTtl()).as("lease ttl").isEqualTo(Duration.ofSeconds(30));
        assertThat(hearth.runtimes().shutdownTimeout()).as("time to end runtimes").isEqualTo(Duration.ofSeconds(10));
        KubernetesPoolSpec spec = hearth.poolSpec("python:3.12-slim");
        assertThat(spec.requests()).as("requests from poolDefaults.kubernetes")
                .isEqualTo(Map.of("cpu", "100m", "memory", "128Mi"));
        assertThat(spec.limits()).as("limits from poolDefaults.kubernetes").isEqualTo(Map.of("cpu", "1", "memory", "512Mi"));
        assertThat(gateway.property("hearth.redis.url")).as("no Redis with one replica").isEmpty();
    }

    @Test
    void kubernetesSettingsArriveWithTheOwnerConfigMapInTheRuntimeNamespace() {
        GatewayEnvironment gateway = GatewayEnvironment.of(HelmChart.render(Map.of(
                "runtimeNamespace", "hearth-runtimes",
                "kubernetes", Map.of("runnerPort", 9000, "leaderLease", "20s", "reconcilePeriod", "7s",
                        "runnerImage", Map.of("repository", "registry.example/runner", "tag", "1.2.3")),
                "poolDefaults", Map.of("kubernetes", Map.of("runtimeClassName", "gvisor",
                        "resources", Map.of("requests", Map.of("cpu", "250m", "memory", "256Mi"),
                                "limits", Map.of("cpu", 2, "memory", "1Gi")))))), scratch);

        HearthProperties hearth = gateway.hearth();
        KubernetesProperties k8s = hearth.kubernetes();
        assertThat(k8s.namespace()).as("namespace").isEqualTo("hearth-runtimes");
        assertThat(k8s.ownerConfigMap()).as("owner ConfigMap").isEqualTo("hearth-pods-owner");
        assertThat(k8s.podLabels()).as("pod labels: the instance, one key despite its dots and slash")
                .isEqualTo(Map.of("app.kubernetes.io/instance", HelmChart.RELEASE));
        assertThat(k8s.runnerImage()).as("runner image").isEqualTo("registry.example/runner:1.2.3");
        assertThat(k8s.runnerPort()).as("runner port").isEqualTo(9000);
        assertThat(k8s.leaseName()).as("lease name").isEqualTo("hearth-reconciler");
        assertThat(k8s.leaderLease()).as("leader lease").isEqualTo(Duration.ofSeconds(20));
        assertThat(k8s.reconcilePeriod()).as("reconcile period").isEqualTo(Duration.ofSeconds(7));
        assertThat(k8s.apiServer()).as("api server: in-cluster service account").isNull();
        KubernetesPoolSpec spec = hearth.poolSpec("node:22-slim");
        assertThat(spec.runtimeClassName()).as("runtime class from the defaults").isEqualTo("gvisor");
        assertThat(spec.requests()).as("requests").isEqualTo(Map.of("cpu", "250m", "memory", "256Mi"));
        assertThat(spec.limits()).as("limits").isEqualTo(Map.of("cpu", "2", "memory", "1Gi"));
        assertThat(spec.runnerImage()).as("runner image in the pod spec").isEqualTo("registry.example/runner:1.2.3");
        assertThat(spec.runnerPort()).as("runner port in the pod spec").isEqualTo(9000);
    }

    @Test
    void aPoolsKubernetesBlockIsLaidOverTheDefaultsWithLabelKeysKeptWhole() {
        GatewayEnvironment gateway = GatewayEnvironment.of(HelmChart.render(Map.of(
                "poolDefaults", Map.of("kubernetes", Map.of("env", Map.of("FROM_DEFAULTS", "yes"),
                        "nodeSelector", Map.of("pool", "functions"))),
                "pools", List.of(Map.of("image", "node:22-slim", "adapter", "http", "command", "node", "size", 3,
                                "kubernetes", Map.of(
                                        "nodeSelector", Map.of("kubernetes.io/arch", "amd64", "disk", "ssd"),
                                        "tolerations", List.of(Map.of("key", "dedicated", "operator", "Equal",
                                                "value", "functions", "effect", "NoSchedule", "tolerationSeconds", 30)),
                                        "runtimeClassName", "kata",
                                        "imagePullSecrets", List.of("registry-creds"),
                                        "env", Map.of("NODE_OPTIONS", "--max-old-space-size=384", "Feature_Flag", "on"),
                                        "resources", Map.of("limits", Map.of("cpu", "1500m", "memory", "2Gi")))),
                        Map.of("image", "jobs/shell", "size", 0)))), scratch);

        HearthProperties hearth = gateway.hearth();
        assertThat(hearth.poolConfigs()).as("pools").extracting(PoolConfig::image, PoolConfig::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("node:22-slim", 3),
                        org.assertj.core.groups.Tuple.tuple("jobs/shell", 0));
        KubernetesPoolSpec node = hearth.poolSpec("node:22-slim");
        assertThat(node.nodeSelector()).as("node selector: dotted label key whole, merged over the defaults'")
                .containsExactlyInAnyOrderEntriesOf(Map.of("kubernetes.io/arch", "amd64", "disk", "ssd",
                        "pool", "functions"));
        assertThat(node.tolerations()).as("tolerations")
                .containsExactly(new KubernetesPoolSpec.Toleration("dedicated", "Equal", "functions", "NoSchedule", 30L));
        assertThat(node.runtimeClassName()).as("runtime class").isEqualTo("kata");
        assertThat(node.imagePullSecrets()).as("pull secrets").containsExactly("registry-creds");
        assertThat(node.env()).as("env, names kept exactly, merged over the defaults'").containsExactlyInAnyOrderEntriesOf(
                Map.of("NODE_OPTIONS", "--max-old-space-size=384", "Feature_Flag", "on", "FROM_DEFAULTS", "yes"));
        assertThat(node.limits()).as("limits: the pool's").isEqualTo(Map.of("cpu", "1500m", "memory", "2Gi"));
        assertThat(node.requests()).as("requests: the defaults'").isEqualTo(Map.of("cpu", "100m", "memory", "128Mi"));
        KubernetesPoolSpec jobs = hearth.poolSpec("jobs/shell");
        assertThat(jobs.runtimeClassName()).as("another pool keeps the defaults").isNull();
        assertThat(jobs.env()).as("another pool's env").isEqualTo(Map.of("FROM_DEFAULTS", "yes"));
    }

    @Test
    void theOpenRuntimesEntryOfTheValuesGivesRootAndWritablePathsToItsPoolAlone() {
        GatewayEnvironment gateway = GatewayEnvironment.of(HelmChart.render(Map.of(
                "pools", List.of(Map.of("image", "openruntimes/node:v5-22", "adapter", "openruntimes",
                                "command", "helpers/start.sh", "kubernetes", Map.of("runAsUser", 0,
                                        "readOnlyRootFilesystem", false, "workingDir", "/usr/local/server",
                                        "writablePaths", List.of("/mnt/telemetry"), "runtimeClassName", "gvisor")),
                        Map.of("image", "python:3.12-slim")))), scratch);

        HearthProperties hearth = gateway.hearth();
        KubernetesPoolSpec openRuntimes = hearth.poolSpec("openruntimes/node:v5-22");
        assertThat(openRuntimes.runsAsRoot()).isTrue();
        assertThat(openRuntimes.readOnlyRootFilesystem()).isFalse();
        assertThat(openRuntimes.workingDir()).isEqualTo("/usr/local/server");
        assertThat(openRuntimes.writablePaths()).containsExactly("/mnt/telemetry");
        assertThat(hearth.poolConfigs().get(0).adapter()).isEqualTo("openruntimes");
        KubernetesPoolSpec python = hearth.poolSpec("python:3.12-slim");
        assertThat(python.runAsUser()).as("another pool keeps uid 10001").isEqualTo(10001L);
        assertThat(python.readOnlyRootFilesystem()).isTrue();
        assertThat(python.writablePaths()).isEmpty();
    }

    @Test
    void patternEntriesAndTheImagesAllowedWithoutAnEntryArrive() {
        GatewayEnvironment gateway = GatewayEnvironment.of(HelmChart.render(Map.of(
                "pools", List.of(Map.of("image", "openruntimes/*", "adapter", "openruntimes",
                                "kubernetes", Map.of("runtimeClassName", "gvisor")),
                        Map.of("image", "python:3.12-slim")),
                "dynamicPools", Map.of("imagesAllowed", List.of("registry.example.com/**"), "maxPools", 16,
                        "idleAfter", "2m"))), scratch);

        HearthProperties hearth = gateway.hearth();
        assertThat(hearth.poolConfigs()).as("a pattern makes no pool at start").singleElement()
                .satisfies(pool -> assertThat(pool.image()).isEqualTo("python:3.12-slim"));
        assertThat(hearth.dynamicPools().imagesAllowed()).containsExactly("registry.example.com/**");
        assertThat(hearth.dynamicPools().maxPools()).isEqualTo(16);
        assertThat(hearth.dynamicPools().idleAfter()).isEqualTo(java.time.Duration.ofMinutes(2));
        KubernetesPoolSpec node = hearth.poolSpec("openruntimes/node:v5-22");
        assertThat(node.runsAsRoot()).as("Open Runtimes pod settings by default").isTrue();
        assertThat(node.workingDir()).isEqualTo("/usr/local/server");
        assertThat(node.runtimeClassName()).as("the pattern entry's own").isEqualTo("gvisor");
        assertThat(GatewayEnvironment.of(HelmChart.render(Map.of()), scratch).hearth().dynamicPools().imagesAllowed())
                .as("any image by default, as upstream").containsExactly("**");
    }

    @Test
    void aKeyTheGatewayDoesNotKnowFailsAsItWouldFailStartup() {
        GatewayEnvironment gateway = GatewayEnvironment.of(HelmChart.render(Map.of("config", Map.of(
                "hearth", Map.of("kubernetes", Map.of("api-retrys", 9))))), scratch);

        assertThatThrownBy(gateway::hearth).as("a misspelt key")
                .hasStackTraceContaining("hearth.kubernetes.api-retrys");
    }

    @Test
    void impossibleCombinationsFailNamingTheKey() {
        GatewayEnvironment limits = GatewayEnvironment.of(HelmChart.render(Map.of(
                "pools", List.of(Map.of("image", "node:22-slim", "kubernetes", Map.of("resources", Map.of(
                        "limits", Map.of("memory", "64Mi"))))))), scratch);
        assertThatThrownBy(limits::hearth).as("a limit below the defaults' request")
                .hasStackTraceContaining("hearth.pools[0].kubernetes")
                .hasStackTraceContaining("requests.memory (128Mi) must not exceed limits.memory");

        GatewayEnvironment size = GatewayEnvironment.of(HelmChart.render(Map.of(
                "pools", List.of(Map.of("image", "node:22-slim", "size", 5, "max", 2)))), scratch);
        assertThatThrownBy(size::hearth).as("size above max").hasStackTraceContaining("hearth.pools[0]: max of pool");
    }

    @Test
    void executorSecretArrivesFromTheChartsSecret() {
        GatewayEnvironment gateway = GatewayEnvironment.of(HelmChart.render(Map.of(
                "executor", Map.of("secret", "from-values"))), scratch);

        ExecutorProperties executor = gateway.bind("hearth.executor", ExecutorProperties.class);
        assertThat(executor.secret()).as("executor secret").isEqualTo("from-values");
        assertThat(executor.env()).as("executor env").isEqualTo("production");
    }

    @Test
    void executorSecretArrivesFromAnExistingSecret() {
        GatewayEnvironment gateway = GatewayEnvironment.of(HelmChart.render(Map.of(
                        "executor", Map.of("existingSecret", "operator-made", "existingSecretKey", "token"))), scratch,
                Map.of("operator-made", Map.of("token", "from-existing")));

        assertThat(gateway.bind("hearth.executor", ExecutorProperties.class).secret()).as("executor secret")
                .isEqualTo("from-existing");
    }

    @Test
    void podSecretKeyArrivesFromTheChartsSecretWhenSet() {
        GatewayEnvironment gateway = GatewayEnvironment.of(HelmChart.render(Map.of(
                "executor", Map.of("existingSecret", "operator-made"),
                "kubernetes", Map.of("podSecretKey", "pod-key"))), scratch,
                Map.of("operator-made", Map.of("executor-secret", "x")));

        assertThat(gateway.bind("hearth.kubernetes", KubernetesProperties.class).podSecretKey()).as("pod secret key")
                .isEqualTo("pod-key");
    }

    @Test
    void podSecretKeyIsNeverTheExecutorSecretByDefault() {
        GatewayEnvironment gateway = GatewayEnvironment.of(HelmChart.render(), scratch);

        String podSecretKey = gateway.bind("hearth.kubernetes", KubernetesProperties.class).podSecretKey();
        assertThat(podSecretKey).as("pod secret key: the chart's generated one").hasSize(64)
                .isNotEqualTo(gateway.bind("hearth.executor", ExecutorProperties.class).secret());
    }

    @Test
    void redisUrlArrivesFromTheSecretWithSeveralReplicas() {
        GatewayEnvironment gateway = GatewayEnvironment.of(HelmChart.render(Map.of("replicaCount", 3,
                "redis", Map.of("url", "redis://:pw@redis.hearth:6379", "keyPrefix", "prod:"))), scratch);

        assertThat(gateway.property("hearth.redis.url")).as("redis url").isEqualTo("redis://:pw@redis.hearth:6379");
        assertThat(gateway.property("hearth.redis.key-prefix")).as("key prefix").isEqualTo("prod:");
    }

    @Test
    void managementAndProbeSettingsArrive() {
        GatewayEnvironment gateway = GatewayEnvironment.of(HelmChart.render(), scratch);

        assertThat(gateway.property("server.port")).as("API port").isEqualTo("8080");
        assertThat(gateway.property("management.server.port")).as("management port").isEqualTo("9090");
        assertThat(gateway.property("management.endpoint.health.probes.enabled")).as("probes").isEqualTo("true");
        assertThat(gateway.property("management.endpoint.health.probes.add-additional-paths"))
                .as("/livez and /readyz on the API port").isEqualTo("true");
        assertThat(gateway.property("management.endpoint.health.show-details"))
                .as("details on /actuator/health, served on the management port only").isEqualTo("always");
        assertThat(gateway.property("management.endpoint.health.group.liveness.include"))
                .as("liveness left to Spring Boot's probe group (status only)").isNull();
        assertThat(gateway.property("management.endpoint.health.group.readiness.include"))
                .as("readiness left to Spring Boot's probe group (status only)").isNull();
        assertThat(gateway.property("server.shutdown")).as("graceful shutdown").isEqualTo("graceful");
        assertThat(gateway.property("spring.lifecycle.timeout-per-shutdown-phase")).as("shutdown timeout").isEqualTo("30s");
        assertThat(gateway.property("management.endpoints.web.exposure.include")).as("prometheus exposed (jar's config)")
                .contains("prometheus");
    }

    @Test
    void extraConfigIsMergedOverTheChartsOwn() {
        GatewayEnvironment gateway = GatewayEnvironment.of(HelmChart.render(Map.of("config", Map.of(
                "logging", Map.of("level", Map.of("dev.hearth", "DEBUG")),
                "hearth", Map.of("kubernetes", Map.of("api-retries", 9))))), scratch);

        assertThat(gateway.property("logging.level.dev.hearth")).as("extra logging level").isEqualTo("DEBUG");
        KubernetesProperties k8s = gateway.hearth().kubernetes();
        assertThat(k8s.apiRetries()).as("overridden by config").isEqualTo(9);
        assertThat(k8s.ownerConfigMap()).as("the rest kept").isEqualTo("hearth-pods-owner");
    }

    private static Map<String, Object> container() {
        return Yamls.map(HelmChart.render().only("Deployment"), "spec.template.spec.containers[0]");
    }
}
