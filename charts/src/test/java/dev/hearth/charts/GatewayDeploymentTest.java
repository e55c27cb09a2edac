package dev.hearth.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gateway's Deployment: pod hardening, probes, shutdown, where its secrets come from, replicas and Redis. */
class GatewayDeploymentTest {

    @AfterEach
    void noInstalledSecret() {
        LookupApiServer.get().clear();
    }

    @Test
    void podRunsNonRootWithRuntimeDefaultSeccomp() {
        Map<String, Object> pod = podSpec(HelmChart.render());

        assertThat(Yamls.at(pod, "securityContext.runAsNonRoot")).as("runAsNonRoot").isEqualTo(true);
        assertThat((Integer) Yamls.at(pod, "securityContext.runAsUser")).as("runAsUser").isPositive();
        assertThat((Integer) Yamls.at(pod, "securityContext.runAsGroup")).as("runAsGroup").isPositive();
        assertThat(Yamls.at(pod, "securityContext.seccompProfile.type")).as("pod seccomp").isEqualTo("RuntimeDefault");
    }

    @Test
    void containerIsLockedDown() {
        Map<String, Object> container = container(HelmChart.render());

        assertThat(Yamls.at(container, "securityContext.allowPrivilegeEscalation")).as("no privilege escalation")
                .isEqualTo(false);
        assertThat(Yamls.at(container, "securityContext.privileged")).as("not privileged").isEqualTo(false);
        assertThat(Yamls.at(container, "securityContext.readOnlyRootFilesystem")).as("read-only root").isEqualTo(true);
        assertThat(Yamls.at(container, "securityContext.runAsNonRoot")).as("container runAsNonRoot").isEqualTo(true);
        assertThat(Yamls.list(container, "securityContext.capabilities.drop")).as("capabilities dropped")
                .containsExactly("ALL");
        assertThat(Yamls.at(container, "securityContext.capabilities.add")).as("no capability added").isNull();
        assertThat(Yamls.at(container, "securityContext.seccompProfile.type")).as("container seccomp")
                .isEqualTo("RuntimeDefault");
    }

    @Test
    void tmpIsAWritableEmptyDirBesideTheReadOnlyRoot() {
        Manifests manifests = HelmChart.render();
        Map<String, Object> tmp = mount(container(manifests), "/tmp");

        assertThat(tmp.get("readOnly")).as("/tmp writable").isNotEqualTo(true);
        assertThat(volume(podSpec(manifests), tmp.get("name").toString())).as("/tmp volume")
                .containsKey("emptyDir");
    }

    @Test
    void serviceAccountTokenIsMountedForTheKubernetesApi() {
        Manifests manifests = HelmChart.render();

        assertThat(Yamls.at(podSpec(manifests), "automountServiceAccountToken")).as("pod mounts its token").isEqualTo(true);
        assertThat(Yamls.at(manifests.only("ServiceAccount"), "automountServiceAccountToken"))
                .as("ServiceAccount allows it").isEqualTo(true);
    }

    @Test
    void noServiceLinkVariablesReachSpring() {
        // A Service named hearth would otherwise inject HEARTH_PORT, HEARTH_SERVICE_HOST, ... which Spring's relaxed
        // binding reads as hearth.* properties.
        assertThat(Yamls.at(podSpec(HelmChart.render()), "enableServiceLinks")).as("enableServiceLinks").isEqualTo(false);
    }

    @Test
    void probesUseSpringBootsHealthGroupsOnTheApiPort() {
        Map<String, Object> container = container(HelmChart.render());

        assertThat(Yamls.string(container, "livenessProbe.httpGet.path")).as("liveness path").isEqualTo("/livez");
        assertThat(Yamls.string(container, "startupProbe.httpGet.path")).as("startup path").isEqualTo("/livez");
        assertThat(Yamls.string(container, "readinessProbe.httpGet.path")).as("readiness path").isEqualTo("/readyz");
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertThat(Yamls.string(container, probe + ".httpGet.port")).as("%s port", probe).isEqualTo("http");
        }
        assertThat(port(container, "http")).as("http container port").isEqualTo(8080);
        assertThat(port(container, "management")).as("management container port").isEqualTo(9090);
    }

    @Test
    void shutdownIsGracefulWithinTheTerminationGracePeriod() {
        Map<String, Object> pod = podSpec(HelmChart.render());

        assertThat((Integer) pod.get("terminationGracePeriodSeconds"))
                .as("grace period beyond the 30 s request drain, 10 s to end runtimes and 30 s to close the driver")
                .isGreaterThan(30 + 10 + 30);
    }

    @Test
    void gracePeriodMustCoverDrainEndingRuntimesAndClosingTheDriver() {
        assertThatThrownBy(() -> HelmChart.render(Map.of("terminationGracePeriodSeconds", 45)))
                .as("the former default, 45 s")
                .hasMessageContaining("terminationGracePeriodSeconds (45) must exceed 70s: preStopSleepSeconds (0)"
                        + " + server.shutdownTimeout (30s) + ending the runtimes the gateway holds (up to 10s)"
                        + " + deleting the pods it created (up to 30s)");
        assertThatThrownBy(() -> HelmChart.render(Map.of("terminationGracePeriodSeconds", 70)))
                .as("exactly the budget").hasMessageContaining("must exceed 70s");
        assertThat(podSpec(HelmChart.render(Map.of("terminationGracePeriodSeconds", 71))).get("terminationGracePeriodSeconds"))
                .as("one second beyond").isEqualTo(71);
        assertThatThrownBy(() -> HelmChart.render(Map.of("terminationGracePeriodSeconds", 80, "preStopSleepSeconds", 10,
                "server", Map.of("shutdownTimeout", "1m"))))
                .as("preStop sleep and a longer drain count too").hasMessageContaining("must exceed 110s");
    }

    @Test
    void preStopSleepIsOptional() {
        Map<String, Object> container = container(HelmChart.render(Map.of("preStopSleepSeconds", 5)));

        assertThat(Yamls.at(container, "lifecycle.preStop.sleep.seconds")).as("preStop sleep").isEqualTo(5);
        assertThat(container(HelmChart.render()).get("lifecycle")).as("no preStop by default").isNull();
    }

    @Test
    void configChangesRollThePods() {
        String before = configChecksum(HelmChart.render());
        String same = configChecksum(HelmChart.render());
        String after = configChecksum(HelmChart.render(Map.of("poolDefaults", Map.of("size", 3))));

        assertThat(before).as("checksum of the same config").isEqualTo(same).isNotBlank();
        assertThat(after).as("checksum after a config change").isNotEqualTo(before);
    }

    @Test
    void executorSecretIsGeneratedWhenNotGiven() {
        Manifests manifests = HelmChart.render();

        String secret = decoded(manifests, "executor-secret");
        assertThat(secret).as("generated executor secret").hasSize(40).isAlphanumeric();
        assertThat(secretRef(container(manifests), "OPR_EXECUTOR_SECRET"))
                .as("OPR_EXECUTOR_SECRET reference").isEqualTo(Map.of("name", "hearth", "key", "executor-secret"));
    }

    @Test
    void generatedExecutorSecretIsKeptOnUpgrade() {
        String installed = Base64.getEncoder().encodeToString("installed-before".getBytes(StandardCharsets.UTF_8));
        LookupApiServer.get().putSecret(HelmChart.NAMESPACE, "hearth", "executor-secret", installed);

        assertThat(decoded(HelmChart.render(), "executor-secret")).as("executor secret on upgrade")
                .isEqualTo("installed-before");
    }

    @Test
    void existingSecretReplacesTheChartsExecutorSecret() {
        Manifests manifests = HelmChart.render(Map.of("executor",
                Map.of("existingSecret", "opr-executor", "existingSecretKey", "token")));

        assertThat(Yamls.map(manifests.only("Secret"), "data")).as("the chart's Secret: the pod secret key only")
                .containsOnlyKeys("pod-secret-key");
        assertThat(secretRef(container(manifests), "OPR_EXECUTOR_SECRET")).as("OPR_EXECUTOR_SECRET reference")
                .isEqualTo(Map.of("name", "opr-executor", "key", "token"));
    }

    @Test
    void podSecretKeyIsGeneratedApartFromTheExecutorSecret() {
        Manifests manifests = HelmChart.render();
        Manifests again = HelmChart.render();

        String key = decoded(manifests, "pod-secret-key");
        assertThat(key).as("generated pod secret key").hasSize(64).isAlphanumeric()
                .isNotEqualTo(decoded(manifests, "executor-secret"));
        assertThat(decoded(again, "pod-secret-key")).as("a new key at each install").isNotEqualTo(key);
        assertThat(secretRef(container(manifests), "HEARTH_KUBERNETES_PODSECRETKEY"))
                .as("HEARTH_KUBERNETES_PODSECRETKEY reference").isEqualTo(Map.of("name", "hearth", "key", "pod-secret-key"));
    }

    @Test
    void generatedPodSecretKeyIsKeptOnUpgrade() {
        LookupApiServer.get().putSecret(HelmChart.NAMESPACE, "hearth", Map.of(
                "executor-secret", base64("installed-executor"), "pod-secret-key", base64("installed-pod-key")));

        Manifests manifests = HelmChart.render();

        assertThat(decoded(manifests, "pod-secret-key")).as("pod secret key on upgrade").isEqualTo("installed-pod-key");
        assertThat(decoded(manifests, "executor-secret")).as("executor secret on upgrade").isEqualTo("installed-executor");
    }

    @Test
    void upgradeFromAnInstallationWithoutPodSecretKeyGeneratesOne() {
        LookupApiServer.get().putSecret(HelmChart.NAMESPACE, "hearth", "executor-secret", base64("installed-executor"));

        Manifests manifests = HelmChart.render();

        assertThat(decoded(manifests, "executor-secret")).as("executor secret kept").isEqualTo("installed-executor");
        assertThat(decoded(manifests, "pod-secret-key")).as("a pod secret key of its own").hasSize(64)
                .isNotEqualTo("installed-executor");
    }

    @Test
    void givenPodSecretKeyWinsOverTheInstalledOne() {
        LookupApiServer.get().putSecret(HelmChart.NAMESPACE, "hearth", "pod-secret-key", base64("installed-pod-key"));

        assertThat(decoded(HelmChart.render(Map.of("kubernetes", Map.of("podSecretKey", "given"))), "pod-secret-key"))
                .as("pod secret key from values").isEqualTo("given");
    }

    @Test
    void severalReplicasWithoutRedisFailRendering() {
        assertThatThrownBy(() -> HelmChart.render(Map.of("replicaCount", 3)))
                .as("replicaCount 3 without Redis")
                .hasMessageContaining("replicaCount is 3, but several gateway replicas must share leases")
                .hasMessageContaining("set redis.url (or redis.existingSecret)");
    }

    @Test
    void severalReplicasShareRedisWhoseUrlStaysInTheSecret() {
        Manifests manifests = HelmChart.render(Map.of("replicaCount", 3,
                "redis", Map.of("url", "redis://:pw@redis:6379")));

        assertThat(Yamls.at(manifests.only("Deployment"), "spec.replicas")).as("replicas").isEqualTo(3);
        assertThat(decoded(manifests, "redis-url")).as("Redis URL in the Secret").isEqualTo("redis://:pw@redis:6379");
        assertThat(secretRef(container(manifests), "HEARTH_REDIS_URL")).as("HEARTH_REDIS_URL reference")
                .isEqualTo(Map.of("name", "hearth", "key", "redis-url"));
        assertThat(Yamls.string(manifests.get("ConfigMap", "hearth-config"), "data")).as("no password in the ConfigMap")
                .doesNotContain("pw@");
    }

    @Test
    void severalReplicasMayUseAnExistingRedisSecret() {
        Manifests manifests = HelmChart.render(Map.of("replicaCount", 2,
                "redis", Map.of("existingSecret", "redis-creds", "existingSecretKey", "url")));

        assertThat(secretRef(container(manifests), "HEARTH_REDIS_URL")).as("HEARTH_REDIS_URL reference")
                .isEqualTo(Map.of("name", "redis-creds", "key", "url"));
    }

    @Test
    void podDisruptionBudgetIsOptional() {
        assertThat(HelmChart.render().ofKind("PodDisruptionBudget")).as("no PDB by default").isEmpty();
        Manifests manifests = HelmChart.render(Map.of("replicaCount", 3, "redis", Map.of("url", "redis://r:6379"),
                "podDisruptionBudget", Map.of("enabled", true)));
        Map<String, Object> budget = manifests.only("PodDisruptionBudget");

        assertThat(Yamls.at(budget, "spec.maxUnavailable")).as("maxUnavailable").isEqualTo(1);
        assertThat(Yamls.at(budget, "spec.selector.matchLabels")).as("selects the gateway")
                .isEqualTo(Yamls.at(manifests.only("Deployment"), "spec.selector.matchLabels"));
    }

    @Test
    void theGracePeriodCountsTheConfiguredTimeToEndRuntimes() {
        assertThatThrownBy(() -> HelmChart.render(Map.of("runtimes", Map.of("shutdownTimeout", "30s"))))
                .as("ending the runtimes may take 30 s: 5 + 30 + 30 + 30 > 80")
                .hasMessageContaining("ending the runtimes the gateway holds (up to 30s)");
    }

    @Test
    void apiServiceCarriesOnlyTheApiPortAndManagementAClusterIpServiceOfItsOwn() {
        Manifests manifests = HelmChart.render(Map.of("service", Map.of("type", "LoadBalancer")));
        Map<String, Object> api = manifests.get("Service", "hearth");
        Map<String, Object> management = manifests.get("Service", "hearth-management");
        Object gatewayPods = Yamls.at(manifests.only("Deployment"), "spec.selector.matchLabels");

        assertThat(manifests.ofKind("Service")).as("Services").hasSize(2);
        assertThat(Yamls.string(api, "spec.type")).as("API Service type").isEqualTo("LoadBalancer");
        assertThat(Yamls.list(api, "spec.ports")).as("API Service ports")
                .containsExactly(Map.of("name", "http", "port", 80, "targetPort", "http", "protocol", "TCP"));
        assertThat(Yamls.string(management, "spec.type")).as("management Service type, whatever service.type")
                .isEqualTo("ClusterIP");
        assertThat(Yamls.list(management, "spec.ports")).as("management Service ports")
                .containsExactly(Map.of("name", "management", "port", 9090, "targetPort", "management", "protocol", "TCP"));
        assertThat(Yamls.at(api, "spec.selector")).as("API Service selects the gateway pods").isEqualTo(gatewayPods);
        assertThat(Yamls.at(management, "spec.selector")).as("management Service selects them").isEqualTo(gatewayPods);
    }

    static Map<String, Object> podSpec(Manifests manifests) {
        return Yamls.map(manifests.only("Deployment"), "spec.template.spec");
    }

    static Map<String, Object> container(Manifests manifests) {
        return Yamls.map(manifests.only("Deployment"), "spec.template.spec.containers[0]");
    }

    private static Map<String, Object> mount(Map<String, Object> container, String path) {
        return Yamls.list(container, "volumeMounts").stream()
                .filter(mount -> path.equals(Yamls.string(mount, "mountPath")))
                .map(mount -> Yamls.map(mount, ""))
                .findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    }

    private static Map<String, Object> volume(Map<String, Object> pod, String name) {
        return Yamls.list(pod, "volumes").stream()
                .filter(volume -> name.equals(Yamls.string(volume, "name")))
                .map(volume -> Yamls.map(volume, ""))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static Object port(Map<String, Object> container, String name) {
        return Yamls.list(container, "ports").stream()
                .filter(port -> name.equals(Yamls.string(port, "name")))
                .map(port -> Yamls.at(port, "containerPort"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no port " + name));
    }

    private static Map<String, Object> secretRef(Map<String, Object> container, String variable) {
        return Yamls.list(container, "env").stream()
                .filter(env -> variable.equals(Yamls.string(env, "name")))
                .map(env -> Yamls.map(env, "valueFrom.secretKeyRef"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no variable " + variable));
    }

    private static String configChecksum(Manifests manifests) {
        return Yamls.string(manifests.only("Deployment"), "spec.template.metadata.annotations.checksum/config");
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    private static String decoded(Manifests manifests, String key) {
        String encoded = Yamls.string(manifests.get("Secret", "hearth"), "data." + key);
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }
}
