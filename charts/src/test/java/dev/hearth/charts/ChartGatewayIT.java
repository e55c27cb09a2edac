package dev.hearth.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

import dev.hearth.gateway.HearthApplication;
import dev.hearth.pool.kubernetes.Labels;
import dev.hearth.pool.kubernetes.harness.ApiAccess;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import dev.hearth.runner.testing.TarGz;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway started with exactly what the chart renders — its environment (Secrets resolved), the mounted
 * application.yaml, the jar's own configuration — against the Kubernetes test harness (fabric8 mock API server,
 * simulated kubelet running real runners), with the chart's owner ConfigMap created in the runtime namespace.
 * The only things the chart would not set on a cluster come in through its own values: the API server's URL
 * ({@code extraEnv}, instead of the in-cluster service account), the storage path and free ports.
 */
class ChartGatewayIT {

    private static final String EXECUTOR_SECRET = "chart-it-secret";
    private static final String POOL_IMAGE = "local/shell";

    @TempDir
    static Path scratch;

    static KubernetesHarness harness;
    static Manifests manifests;
    static ConfigurableApplicationContext gateway;
    static String ownerUid;
    static int httpPort;
    static int managementPort;
    static Path storage;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void install() throws Exception {
        harness = KubernetesHarness.builder().namespace("hearth-runtimes").build();
        httpPort = freePort();
        managementPort = freePort();
        storage = Files.createDirectories(scratch.resolve("storage"));
        manifests = HelmChart.render(Map.of(
                "runtimeNamespace", harness.namespace(),
                "executor", Map.of("secret", EXECUTOR_SECRET),
                "server", Map.of("port", httpPort, "managementPort", managementPort),
                "storage", Map.of("mountPath", storage.toString()),
                "poolDefaults", Map.of("size", 2, "acquireTimeout", "20s", "startTimeout", "20s"),
                "pools", List.of(Map.of("image", POOL_IMAGE, "adapter", "exec", "command", "sh")),
                "kubernetes", Map.of("runnerPort", harness.runnerPort()),
                "extraEnv", List.of(Map.of("name", "HEARTH_KUBERNETES_APISERVER",
                        "value", harness.apiClient().getBasePath()))));
        ownerUid = createOwnerConfigMap();

        SpringApplication application = new SpringApplication(HearthApplication.class, OwnEventLoops.class);
        application.setEnvironment(GatewayEnvironment.containerEnvironment(
                GatewayEnvironment.containerVariables(manifests, scratch, Map.of())));
        gateway = application.run();
    }

    /**
     * The gateway's Reactor Netty on event loops of its own: with the global ones (the default), closing the gateway
     * would dispose the loops the harness's API front server runs on, before the harness is closed. Test only.
     */
    @Configuration(proxyBeanMethods = false)
    static class OwnEventLoops {

        @Bean
        ReactorResourceFactory reactorResourceFactory() {
            ReactorResourceFactory factory = new ReactorResourceFactory();
            factory.setUseGlobalResources(false);
            return factory;
        }
    }

    @AfterAll
    static void uninstall() {
        if (gateway != null) {
            gateway.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void probesAnswerOnTheApiPortAndActuatorOnlyOnTheManagementPort() throws Exception {
        Map<String, Object> container = GatewayDeploymentTest.container(manifests);

        assertThat(get(httpPort, Yamls.string(container, "livenessProbe.httpGet.path")).statusCode()).as("liveness")
                .isEqualTo(200);
        assertThat(get(httpPort, Yamls.string(container, "readinessProbe.httpGet.path")).statusCode()).as("readiness")
                .isEqualTo(200);
        assertThat(get(managementPort, "/actuator/health").statusCode()).as("actuator on the management port")
                .isEqualTo(200);
        assertThat(get(httpPort, "/actuator/health").statusCode()).as("actuator on the API port").isEqualTo(404);
    }

    @Test
    void probesOnTheApiPortTellOnlyTheStatusWhileTheManagementPortKeepsTheDetails() throws Exception {
        Map<String, Object> container = GatewayDeploymentTest.container(manifests);
        JsonMapper json = JsonMapper.builder().build();

        for (String probe : List.of("livenessProbe", "readinessProbe")) {
            HttpResponse<String> response = get(httpPort, Yamls.string(container, probe + ".httpGet.path"));
            tools.jackson.databind.JsonNode body = json.readTree(response.body());
            assertThat(body.has("status")).as("%s status: %s", probe, response.body()).isTrue();
            assertThat(body.has("components")).as("%s components: %s", probe, response.body()).isFalse();
            assertThat(body.has("details")).as("%s details: %s", probe, response.body()).isFalse();
        }
        HttpResponse<String> health = get(managementPort, "/actuator/health");
        assertThat(json.readTree(health.body()).has("components")).as("components on the management port: %s",
                health.body()).isTrue();
    }

    @Test
    void warmPodsAreOwnedByTheChartsOwnerConfigMapAndSelectedByItsNetworkPolicy() {
        awaitWarmPods();
        Map<String, Object> policy = manifests.only("NetworkPolicy");
        Object policyPort = Yamls.at(policy, "spec.ingress[0].ports[0].port");

        for (V1Pod pod : pods()) {
            String name = pod.getMetadata().getName();
            assertThat(pod.getMetadata().getOwnerReferences()).as("owner of %s", name).singleElement()
                    .satisfies(owner -> {
                        assertThat(owner.getApiVersion()).as("apiVersion").isEqualTo("v1");
                        assertThat(owner.getKind()).as("kind").isEqualTo("ConfigMap");
                        assertThat(owner.getName()).as("name").isEqualTo("hearth-pods-owner");
                        assertThat(owner.getUid()).as("uid").isEqualTo(ownerUid);
                    });
            assertThat(pod.getMetadata().getLabels()).as("labels of %s", name)
                    .containsKey(Yamls.string(policy, "spec.podSelector.matchExpressions[0].key"));
            assertThat((Map<String, Object>) new java.util.HashMap<String, Object>(pod.getMetadata().getLabels()))
                    .as("labels of %s match the policy's", name)
                    .containsAllEntriesOf(Yamls.map(policy, "spec.podSelector.matchLabels"));
            assertThat(pod.getSpec().getContainers().get(0).getPorts()).as("runner port of %s", name)
                    .anyMatch(port -> policyPort.equals(port.getContainerPort()));
        }
    }

    @Test
    void runtimeExecutesWithTheExecutorSecretFromTheRenderedSecret() throws Exception {
        TarGz.builder().file("main.sh", "cat").writeTo(storage.resolve("cat.tar.gz"));
        String secret = new String(Base64.getDecoder().decode(
                Yamls.string(manifests.get("Secret", "hearth"), "data.executor-secret")), StandardCharsets.UTF_8);

        HttpResponse<String> unauthorized = post("/v1/runtimes", "", "{}");
        HttpResponse<String> created = post("/v1/runtimes", secret, """
                {"runtimeId":"chart-it","image":"%s","source":"cat.tar.gz","entrypoint":"main.sh"}""".formatted(POOL_IMAGE));
        HttpResponse<String> executed = post("/v1/runtimes/chart-it/executions", secret,
                "{\"method\":\"POST\",\"body\":\"through the chart\"}");
        HttpResponse<String> deleted = send(HttpRequest.newBuilder(uri(httpPort, "/v1/runtimes/chart-it"))
                .header("Authorization", "Bearer " + secret).DELETE());

        assertThat(unauthorized.statusCode()).as("without the secret").isEqualTo(401);
        assertThat(created.statusCode()).as("create: %s", created.body()).isEqualTo(201);
        assertThat(executed.statusCode()).as("execute: %s", executed.body()).isEqualTo(200);
        assertThat(JsonMapper.builder().build().readTree(executed.body()).path("body").asString())
                .as("function output").isEqualTo("through the chart");
        assertThat(deleted.statusCode()).as("delete").isEqualTo(200);
    }

    @Test
    void everyMetricTheChartQueriesIsExported() throws Exception {
        // The pools' breakers are bound as they are created, on a pool's first pod creation.
        awaitWarmPods();
        get(httpPort, "/v1/health");
        System.gc();
        Set<String> exported = scrapedNames();
        Set<String> queried = new TreeSet<>();
        MonitoringTest.queries(JsonMapper.builder().build().readTree(
                Files.readString(HelmChart.directory().resolve("dashboards/hearth.json"))))
                .forEach(query -> queried.addAll(PromQl.metricNames(query)));
        Manifests monitored = HelmChart.render(Map.of("monitoring", Map.of("prometheusRule", Map.of("enabled", true))));
        for (Object group : Yamls.list(monitored.only("PrometheusRule"), "spec.groups")) {
            Yamls.list(group, "rules").forEach(rule -> queried.addAll(PromQl.metricNames(Yamls.string(rule, "expr"))));
        }
        queried.removeAll(ExportedMetrics.SYNTHETIC);

        assertThat(exported).as("series at /actuator/prometheus").containsAll(queried)
                .containsAll(ExportedMetrics.hearth()).containsAll(ExportedMetrics.platform());
    }

    @Test
    void apiCallsStayWithinTheRenderedRole() {
        awaitWarmPods();
        Set<ApiAccess> observed = harness.observedAccess();
        Set<String> granted = new HashSet<>();
        for (Object rule : Yamls.list(manifests.only("Role"), "rules")) {
            for (Object group : Yamls.list(rule, "apiGroups")) {
                for (Object resource : Yamls.list(rule, "resources")) {
                    Yamls.list(rule, "verbs").forEach(verb -> granted.add(group + "/" + resource + "/" + verb));
                }
            }
        }

        assertThat(observed).as("API calls the gateway made").isNotEmpty();
        for (ApiAccess access : observed) {
            assertThat(access.namespaced()).as("%s namespaced", access).isTrue();
            assertThat(granted).as("%s granted by the Role", access)
                    .contains(access.group() + "/" + access.resource() + "/" + access.verb());
        }
    }

    private static String createOwnerConfigMap() throws Exception {
        Map<String, Object> rendered = manifests.get("ConfigMap", "hearth-pods-owner");
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        Yamls.map(rendered, "metadata.labels").forEach((key, value) -> labels.put(key, value.toString()));
        Map<String, String> data = new java.util.LinkedHashMap<>();
        Yamls.map(rendered, "data").forEach((key, value) -> data.put(key, value.toString()));
        V1ConfigMap created = harness.core().createNamespacedConfigMap(Yamls.string(rendered, "metadata.namespace"),
                new V1ConfigMap().apiVersion("v1").kind("ConfigMap")
                        .metadata(new V1ObjectMeta().name(Yamls.string(rendered, "metadata.name"))
                                .namespace(Yamls.string(rendered, "metadata.namespace")).labels(labels))
                        .data(data)).execute();
        assertThat(created.getMetadata().getUid()).as("uid of the owner ConfigMap").isNotBlank();
        return created.getMetadata().getUid();
    }

    private static List<V1Pod> pods() {
        try {
            return harness.core().listNamespacedPod(harness.namespace()).labelSelector(Labels.POOL).execute().getItems()
                    .stream().filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> scrapedNames() throws Exception {
        HttpResponse<String> scrape = get(managementPort, "/actuator/prometheus");
        assertThat(scrape.statusCode()).as("scrape").isEqualTo(200);
        Set<String> names = new TreeSet<>();
        for (String line : scrape.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(port, path)).GET());
    }

    private static HttpResponse<String> post(String path, String secret, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(httpPort, path))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (!secret.isEmpty()) {
            request.header("Authorization", "Bearer " + secret);
        }
        return send(request);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Waits until the pool's two warm pods exist (the gateway creates them once it has started). */
    private static void awaitWarmPods() {
        await().alias("the pool's warm pods exist")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(pods().size()).as("warm pods of the pool").isEqualTo(2));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
