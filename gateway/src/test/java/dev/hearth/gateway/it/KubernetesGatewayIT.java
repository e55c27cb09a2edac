package dev.hearth.gateway.it;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.hearth.gateway.storage.S3MockProcess;
import dev.hearth.pool.Pools;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import dev.hearth.pool.runtime.Runtimes;
import dev.hearth.runner.testing.TarGz;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;

/**
 * The gateway with {@code hearth.driver=kubernetes} against the fabric8 mock API server, with a simulated
 * kubelet that runs each pod's runner for real on its own loopback address: pools fill to size, runtimes
 * serve exec and http functions through pods, a size-0 pool runs through a Job, builds run in pods and Jobs and
 * store their artifacts in an S3 bucket (S3Mock) the sources come from too, and nothing is left behind.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hearth.driver=kubernetes",
        "hearth.executor.secret=" + KubernetesGatewayIT.SECRET,
        "hearth.pool-defaults.acquire-timeout=20s",
        "hearth.pool-defaults.start-timeout=20s",
        "hearth.pools[0].image=local/shell", "hearth.pools[0].adapter=exec", "hearth.pools[0].command=sh",
        "hearth.pools[0].size=2",
        "hearth.pools[1].image=local/node", "hearth.pools[1].adapter=http", "hearth.pools[1].command=node",
        "hearth.pools[1].size=1",
        "hearth.pools[2].image=jobs/shell", "hearth.pools[2].adapter=exec", "hearth.pools[2].command=sh",
        "hearth.pools[2].size=0",
        "hearth.kubernetes.api-retries=1",
        "hearth.dynamic-pools.images-allowed=any/**,other/*",
        "hearth.kubernetes.pod-labels[app.kubernetes.io/instance]=" + KubernetesGatewayIT.INSTANCE,
        "hearth.kubernetes.breaker-minimum-calls=2",
        "hearth.kubernetes.breaker-open-for=2s",
        "hearth.kubernetes.abandoned-claim-grace=2s",
        "hearth.kubernetes.orphan-secret-grace=4s",
        "hearth.pools[1].kubernetes.node-selector.disk=ssd",
        "hearth.pools[1].kubernetes.runtime-class=gvisor",
        "hearth.pools[1].kubernetes.image-pull-secrets[0]=registry-creds",
        "hearth.pools[1].kubernetes.env.EXTRA=on",
        "hearth.pools[1].kubernetes.tolerations[0].key=dedicated",
        "hearth.pools[1].kubernetes.tolerations[0].operator=Equal",
        "hearth.pools[1].kubernetes.tolerations[0].value=functions",
        "hearth.pools[1].kubernetes.tolerations[0].effect=NoSchedule",
})
class KubernetesGatewayIT {

    static final String SECRET = "k8s-it-secret";
    static final String INSTANCE = "hearth-it";
    static final KubernetesHarness HARNESS = KubernetesHarness.builder().namespace("hearth").build();
    /** Sources and build artifacts live in a bucket, as in a cluster. */
    @RegisterExtension
    static final S3MockProcess S3 = new S3MockProcess();
    /** What the Helm chart creates and {@code helm uninstall} deletes, taking every runtime pod with it. */
    static final V1ConfigMap OWNER = createOwner();

    @Value("${local.server.port}")
    int port;

    @Autowired
    Pools pools;

    @Autowired
    Runtimes runtimes;

    @Autowired
    dev.hearth.pool.kubernetes.ClusterPods clusterPods;

    WebTestClient client;

    @DynamicPropertySource
    static void cluster(DynamicPropertyRegistry registry) {
        registry.add("hearth.kubernetes.api-server", () -> HARNESS.apiClient().getBasePath());
        registry.add("hearth.kubernetes.namespace", HARNESS::namespace);
        registry.add("hearth.kubernetes.runner-port", HARNESS::runnerPort);
        registry.add("hearth.storage.dsn", () -> "s3://k8s-key:k8s-secret@" + S3.endpoint().getAuthority() + "/"
                + S3MockProcess.BUCKET + "?region=us-east-1&insecure=true");
        registry.add("hearth.kubernetes.owner-config-map", () -> OWNER.getMetadata().getName());
    }

    @AfterAll
    static void stopCluster() {
        HARNESS.close();
    }

    @BeforeEach
    void client() {
        client = WebTestClient.bindToServer(new ReleasingConnector()).baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(60))
                .defaultHeader("Authorization", "Bearer " + SECRET).build();
    }

    @AfterEach
    void nothingLeft() {
        runtimes.list().flatMap(record -> runtimes.delete(record.runtimeId())).blockLast(Duration.ofSeconds(30));
        await("pools back at size with nothing claimed").atMost(GatewayITSupport.WAIT).until(() -> pools.all().stream().allMatch(pool ->
                pool.metrics().warm() == pool.config().size() && pool.metrics().claimed() == 0));
        await("only the warm pods exist in the cluster").atMost(GatewayITSupport.WAIT).until(() -> pods().size() == 3);
        await("no Job left").atMost(GatewayITSupport.WAIT).until(() -> jobs() == 0);
        await("a Secret per pod, none left over").atMost(GatewayITSupport.WAIT).until(() -> secrets() == 3);
    }

    private List<V1Pod> pods() {
        try {
            return HARNESS.core().listNamespacedPod(HARNESS.namespace()).execute().getItems().stream()
                    .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<V1Pod> warmPods() {
        return pods().stream().filter(pod -> "warm".equals(pod.getMetadata().getLabels().get("hearth.dev/state")))
                .toList();
    }

    private int secrets() {
        try {
            return HARNESS.core().listNamespacedSecret(HARNESS.namespace()).execute().getItems().size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private int jobs() {
        return jobList().size();
    }

    private List<V1Job> jobList() {
        try {
            return HARNESS.batch().listNamespacedJob(HARNESS.namespace()).execute().getItems();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stores a function archive in the bucket under {@code name} (the {@code source} to name it by). */
    private static void put(String name, TarGz.Builder archive) {
        S3.client().putObject(b -> b.bucket(S3MockProcess.BUCKET).key(name),
                software.amazon.awssdk.core.async.AsyncRequestBody.fromBytes(archive.build())).join();
    }

    private WebTestClient.ResponseSpec create(String id, String image, String source, String entrypoint) {
        return client.post().uri("/v1/runtimes").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("runtimeId", id, "image", image, "source", source, "entrypoint", entrypoint))
                .exchange();
    }

    private WebTestClient.BodyContentSpec execute(String id, String body) {
        return client.post().uri("/v1/runtimes/" + id + "/executions").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON).bodyValue(Map.of("body", body, "method", "POST"))
                .exchange().expectStatus().isOk().expectBody();
    }

    @Test
    void execRuntimeRunsInAClaimedPodAndThePoolRefillsWithoutATimer() {
        await("pools filled to size").atMost(GatewayITSupport.WAIT).until(() -> pods().size() == 3);
        put("cat.tar.gz", TarGz.builder().file("main.sh", "cat"));
        create("k-exec", "local/shell", "cat.tar.gz", "main.sh").expectStatus().isCreated();
        execute("k-exec", "through a pod").jsonPath("$.body").isEqualTo("through a pod");
        await("the claimed pod is relabelled").atMost(GatewayITSupport.WAIT).until(() -> pods().stream().anyMatch(pod ->
                "claimed".equals(pod.getMetadata().getLabels().get("hearth.dev/state"))));
        await("the pool is back at size while the runtime lives").atMost(GatewayITSupport.WAIT).until(() ->
                pools.forImage("local/shell").metrics().warm() == 2);
        client.delete().uri("/v1/runtimes/k-exec").exchange().expectStatus().isOk();
    }

    @Test
    void httpRuntimeServesThroughItsPod() throws Exception {
        put("node.tar.gz", TarGz.builder().file("index.js",
                Files.readString(Path.of("..", "examples", "hello-node", "index.js"))));
        create("k-http", "local/node", "node.tar.gz", "index.js").expectStatus().isCreated();
        execute("k-http", "hi").jsonPath("$.statusCode").isEqualTo(200)
                .jsonPath("$.body").value(body -> assertThat(body.toString()).contains("\"served\":1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"local/shell", "jobs/shell"})
    void aBuildRunsInAPodOfItsImageAndARuntimeRunsFromItsArtifact(String image) {
        String app = image.replace('/', '-');
        String path = build(app, image, "main.sh", TarGz.builder()
                .file("build.sh", "echo \"echo built in $(basename $PWD) for $APP\" > main.sh"));

        create(app + "-run", "local/shell", path.substring(1), "main.sh").expectStatus().isCreated();
        execute(app + "-run", "").jsonPath("$.body").value(body -> assertThat(body.toString())
                .startsWith("built in ").endsWith(" for " + app + "\n"));
    }

    @Test
    void anHttpFunctionBuiltInAPodServesWhatItsBuildGenerated() {
        String server = "const fs = require('fs'); const http = require('http');"
                + " const made = fs.readFileSync(__dirname + '/generated.txt', 'utf8').trim();"
                + " http.createServer((req, res) => res.end('served ' + made)).listen(Number(process.env.PORT), '127.0.0.1');";
        String path = build("node-app", "local/node", "index.js", TarGz.builder().file("index.js", server)
                .file("build.sh", "echo \"generated for $APP\" > generated.txt"));

        create("node-app-run", "local/node", path.substring(1), "index.js").expectStatus().isCreated();
        execute("node-app-run", "").jsonPath("$.body").isEqualTo("served generated for node-app");
    }

    /**
     * Builds {@code archive} as Appwrite does (extract, run build.sh, pack {@code /mnt/code/code.tar.gz}) in a pod of
     * {@code image}; returns the artifact's path, checked to be in the bucket with the answered size.
     */
    private String build(String app, String image, String entrypoint, TarGz.Builder archive) {
        put(app + "-src.tar.gz", archive);
        Map<String, Object> build = new java.util.LinkedHashMap<>();
        build.put("runtimeId", app + "-build");
        build.put("source", "/" + app + "-src.tar.gz");
        build.put("destination", "/builds/" + app);
        build.put("image", image);
        build.put("entrypoint", entrypoint);
        build.put("variables", Map.of("APP", app));
        build.put("remove", true);
        build.put("command", "tar -zxf /tmp/code.tar.gz -C /mnt/code && cd /mnt/code && sh build.sh"
                + " && tar -czf \"$TMPDIR/a.tar.gz\" . && mv \"$TMPDIR/a.tar.gz\" /mnt/code/code.tar.gz");

        Map<?, ?> built = client.post().uri("/v1/runtimes").contentType(MediaType.APPLICATION_JSON).bodyValue(build)
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();

        String path = (String) built.get("path");
        assertThat(S3.client().headObject(b -> b.bucket(S3MockProcess.BUCKET).key(path.substring(1))).join()
                .contentLength()).as("the artifact in the bucket").isEqualTo(((Number) built.get("size")).longValue());
        return path;
    }

    @Test
    void sizeZeroPoolServesThroughAJobThatIsGoneAfterDelete() {
        put("job.tar.gz", TarGz.builder().file("main.sh", "echo job"));
        create("k-job", "jobs/shell", "job.tar.gz", "main.sh").expectStatus().isCreated();
        assertThat(jobs()).as("a Job runs the runtime's pod").isEqualTo(1);
        assertThat(jobList().get(0).getMetadata().getOwnerReferences()).as("the Job's owner").singleElement()
                .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(OWNER.getMetadata().getUid()));
        execute("k-job", "").jsonPath("$.body").isEqualTo("job\n");
        client.delete().uri("/v1/runtimes/k-job").exchange().expectStatus().isOk();
        await("the Job is deleted with the runtime").atMost(GatewayITSupport.WAIT).until(() -> jobs() == 0);
    }

    /**
     * Any image, as the upstream executor: an image with no entry gets a pool made at call time (size 0: a Job), its
     * pod limited to exactly the runtime's cpus and memory, visible in the pool metrics while it lives; the leader
     * leaves it be, and it goes with its runtime.
     */
    @Test
    void anUnconfiguredImageRunsInAJobOfItsOwnWithExactlyTheRuntimesLimits() {
        put("any.tar.gz", TarGz.builder().file("main.sh", "echo any image"));
        Map<String, Object> create = new java.util.LinkedHashMap<>();
        create.put("runtimeId", "k-any");
        create.put("image", "any/unconfigured:1");
        create.put("source", "any.tar.gz");
        create.put("entrypoint", "main.sh");
        create.put("version", "v4");
        create.put("cpus", 0.5);
        create.put("memory", 300);
        client.post().uri("/v1/runtimes").contentType(MediaType.APPLICATION_JSON).bodyValue(create)
                .exchange().expectStatus().isCreated();

        V1Job job = jobList().stream().filter(j -> "any/unconfigured:1".equals(
                j.getMetadata().getAnnotations().get("hearth.dev/image"))).findFirst().orElseThrow();
        var resources = job.getSpec().getTemplate().getSpec().getContainers().get(0).getResources();
        assertThat(resources.getLimits().get("cpu").toSuffixedString()).isEqualTo("500m");
        assertThat(resources.getLimits().get("memory").toSuffixedString()).isEqualTo("300Mi");
        execute("k-any", "").jsonPath("$.body").isEqualTo("any image\n");
        String metrics = client.get().uri("/actuator/prometheus").exchange()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("hearth_pool_pods{image=\"any/unconfigured:1\",state=\"claimed\"} 1.0");
        // A pass of the leader's, which knows no pool of this image, proven by a crashed warm pod's replacement.
        await("pools filled to size").atMost(GatewayITSupport.WAIT).until(() -> warmPods().size() == 3);
        String victim = warmPods().get(0).getMetadata().getName();
        HARNESS.kubelet().crash(victim);
        await("the crashed pod replaced").atMost(GatewayITSupport.WAIT).until(() -> warmPods().size() == 3
                && warmPods().stream().noneMatch(pod -> pod.getMetadata().getName().equals(victim)));
        assertThat(jobs()).as("the Job outlived the pass").isEqualTo(1);
        execute("k-any", "").jsonPath("$.body").isEqualTo("any image\n");

        client.delete().uri("/v1/runtimes/k-any").exchange().expectStatus().isOk();
        await("the Job is deleted with the runtime").atMost(GatewayITSupport.WAIT).until(() -> jobs() == 0);
    }

    /** The limits rule: a warm pool serves what its pods' limits cover; a runtime asking more gets a Job of its own. */
    @Test
    void aRuntimeAskingMoreThanTheWarmPodsLimitsGetsAPodOfItsOwnAndLeavesTheWarmOnes() {
        await("pools filled to size").atMost(GatewayITSupport.WAIT).until(() -> warmPods().size() == 3);
        List<String> warmBefore = warmPods().stream().map(pod -> pod.getMetadata().getName()).toList();
        put("big.tar.gz", TarGz.builder().file("main.sh", "echo big"));
        Map<String, Object> create = new java.util.LinkedHashMap<>(Map.of("runtimeId", "k-big", "image", "local/shell",
                "source", "big.tar.gz", "entrypoint", "main.sh"));
        create.put("cpus", 1);
        create.put("memory", 1024);
        client.post().uri("/v1/runtimes").contentType(MediaType.APPLICATION_JSON).bodyValue(create)
                .exchange().expectStatus().isCreated();

        assertThat(jobs()).as("a Job of its own: the warm pods have 512Mi").isEqualTo(1);
        var limits = jobList().get(0).getSpec().getTemplate().getSpec().getContainers().get(0).getResources()
                .getLimits();
        assertThat(limits.get("memory").getNumber()).isEqualByComparingTo(
                io.kubernetes.client.custom.Quantity.fromString("1024Mi").getNumber());
        assertThat(warmPods()).extracting(pod -> pod.getMetadata().getName()).as("no warm pod taken")
                .containsExactlyInAnyOrderElementsOf(warmBefore);
        execute("k-big", "").jsonPath("$.body").isEqualTo("big\n");

        create.put("runtimeId", "k-small");
        create.put("memory", 256);
        client.post().uri("/v1/runtimes").contentType(MediaType.APPLICATION_JSON).bodyValue(create)
                .exchange().expectStatus().isCreated();
        assertThat(jobs()).as("a warm pod covers 256 MB").isEqualTo(1);
    }

    @Test
    void anImageNotAllowedIsRefusedInTheOpenRuntimesShape() {
        client.post().uri("/v1/runtimes").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("runtimeId", "k-refused", "image", "not-allowed/app:1", "source", "any.tar.gz"))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("runtime_failed")
                .jsonPath("$.message").value(message -> assertThat(message.toString()).contains("images-allowed"))
                .jsonPath("$.code").isEqualTo(400);
    }

    @Test
    void aKilledWarmPodIsReplacedAndLeavesNothingBehind() {
        await("pools filled to size").atMost(GatewayITSupport.WAIT).until(() -> pods().size() == 3);
        String victim = pods().stream()
                .filter(pod -> "warm".equals(pod.getMetadata().getLabels().get("hearth.dev/state")))
                .findFirst().orElseThrow().getMetadata().getName();
        HARNESS.kubelet().crash(victim);
        await("the dead pod is deleted and replaced").atMost(GatewayITSupport.WAIT).until(() ->
                pods().stream().noneMatch(pod -> pod.getMetadata().getName().equals(victim)) && pods().size() == 3);
    }

    @Test
    void aClaimedPodKilledMidExecutionGivesAClearErrorNotAHang() throws Exception {
        put("slow.tar.gz", TarGz.builder().file("main.sh", "sleep 30; echo late"));
        create("k-slow", "local/shell", "slow.tar.gz", "main.sh").expectStatus().isCreated();
        String pod = (String) client.get().uri("/v1/runtimes/k-slow").exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody().get("hostname");
        var pending = org.springframework.web.reactive.function.client.WebClient.create("http://127.0.0.1:" + port)
                .post().uri("/v1/runtimes/k-slow/executions")
                .header("Authorization", "Bearer " + SECRET)
                .contentType(MediaType.APPLICATION_JSON).accept(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("timeout", 60))
                .exchangeToMono(response -> response.toEntity(String.class))
                .toFuture();
        var record = runtimes.get("k-slow").block();
        dev.hearth.runner.client.RunnerClient runner = dev.hearth.runner.client.RunnerClient.create(Duration.ofSeconds(2));
        await("the execution is running in the pod").atMost(GatewayITSupport.WAIT)
                .until(() -> runner.health(record.host(), record.port()).block().inFlight() > 0);
        long killed = System.nanoTime();
        HARNESS.kubelet().crash(pod);
        var response = pending.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat((System.nanoTime() - killed) / 1_000_000).as("answered soon after the kill, no hang").isLessThan(10_000);
        assertThat(response.getStatusCode().is5xxServerError()).as("status " + response.getStatusCode()).isTrue();
        assertThat(response.getBody()).as("a clear error").contains("pod");
        await("the runtime of the dead pod is gone").atMost(GatewayITSupport.WAIT).until(() ->
                client.get().uri("/v1/runtimes/k-slow").exchange().returnResult(String.class).getStatus().value() == 404);
    }

    @Test
    void withTheApiFailingThePoolDegradesFailsFastWith503AndRecovers() {
        put("deg.tar.gz", TarGz.builder().file("main.sh", "echo back"));
        HARNESS.faults().apiFailureRate(1.0);
        try {
            create("k-deg-1", "jobs/shell", "deg.tar.gz", "main.sh").expectStatus().isEqualTo(503)
                    .expectBody().jsonPath("$.type").isEqualTo("pool_degraded");
            long started = System.nanoTime();
            create("k-deg-2", "jobs/shell", "deg.tar.gz", "main.sh").expectStatus().isEqualTo(503);
            assertThat((System.nanoTime() - started) / 1_000_000).as("fails fast while degraded").isLessThan(1_000);
            client.get().uri("/actuator/health").exchange().expectStatus().isOk()
                    .expectBody().jsonPath("$.components.pools.status").isEqualTo("DEGRADED");
            String metrics = client.get().uri("/actuator/prometheus").exchange()
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(metrics).contains("hearth_pool_degraded{image=\"jobs/shell\"} 1.0")
                    .contains("resilience4j_circuitbreaker_state{name=\"pool:jobs/shell\",state=\"open\"} 1.0");
        } finally {
            HARNESS.faults().apiFailureRate(0);
        }
        await("the pool recovers once the API heals").atMost(GatewayITSupport.WAIT).until(() ->
                create("k-deg-3", "jobs/shell", "deg.tar.gz", "main.sh").returnResult(String.class)
                        .getStatus().value() == 201);
        execute("k-deg-3", "").jsonPath("$.body").isEqualTo("back\n");
    }

    @Test
    void aClaimedPodWhoseHolderVanishedIsDeletedByTheLeader() {
        await("pools filled to size").atMost(GatewayITSupport.WAIT).until(() -> pods().size() == 3);
        // A replica claimed this pod and died before (or long after) writing its lease: nobody holds it.
        dev.hearth.pool.Pod pod = clusterPods.warmPods("local/shell").get(0);
        assertThat(clusterPods.take(pod).block()).as("claimed without a lease").isTrue();
        await("the leader deletes the abandoned pod and refills the pool").atMost(GatewayITSupport.WAIT).until(() ->
                pods().stream().noneMatch(p -> pod.id().equals(p.getMetadata().getLabels().get("hearth.dev/pod-id")))
                        && pods().size() == 3);
    }

    @Test
    void perPoolOverridesReachThePodSpec() {
        await("pools filled to size").atMost(GatewayITSupport.WAIT).until(() -> pods().size() == 3);
        V1Pod node = pods().stream()
                .filter(pod -> "local/node".equals(pod.getMetadata().getAnnotations().get("hearth.dev/image")))
                .findFirst().orElseThrow();
        var spec = node.getSpec();
        assertThat(spec.getNodeSelector()).as("node selector").containsEntry("disk", "ssd");
        assertThat(spec.getRuntimeClassName()).as("runtime class").isEqualTo("gvisor");
        assertThat(spec.getImagePullSecrets()).as("pull secrets").anyMatch(ref -> "registry-creds".equals(ref.getName()));
        assertThat(spec.getTolerations()).as("tolerations").anyMatch(t -> "dedicated".equals(t.getKey())
                && "functions".equals(t.getValue()) && "NoSchedule".equals(t.getEffect()));
        assertThat(spec.getContainers().get(0).getEnv()).as("extra env")
                .anyMatch(env -> "EXTRA".equals(env.getName()) && "on".equals(env.getValue()));
        V1Pod shell = pods().stream()
                .filter(pod -> "local/shell".equals(pod.getMetadata().getAnnotations().get("hearth.dev/image")))
                .findFirst().orElseThrow();
        assertThat(shell.getSpec().getRuntimeClassName()).as("other pools keep the defaults").isNull();
        assertThat(pods()).as("every pod carries the installation's labels").allSatisfy(pod ->
                assertThat(pod.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", INSTANCE));
        assertThat(pods()).as("every pod is owned by the owner ConfigMap, looked up at start").allSatisfy(pod ->
                assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
                    assertThat(ref.getKind()).isEqualTo("ConfigMap");
                    assertThat(ref.getName()).isEqualTo(OWNER.getMetadata().getName());
                    assertThat(ref.getUid()).isEqualTo(OWNER.getMetadata().getUid());
                }));
    }

    @Test
    void anotherInstallationsPodsInTheNamespaceAreLeftAlone() throws Exception {
        await("pools filled to size").atMost(GatewayITSupport.WAIT).until(() -> pods().size() == 3);
        V1Pod foreign = HARNESS.core().createNamespacedPod(HARNESS.namespace(), new V1Pod().apiVersion("v1").kind("Pod")
                .metadata(new V1ObjectMeta().name("other-install-pod").labels(Map.of(
                        "hearth.dev/pool", dev.hearth.pool.kubernetes.Labels.poolValue("local/shell"),
                        "hearth.dev/state", "warm", "app.kubernetes.io/managed-by", "hearth",
                        "app.kubernetes.io/instance", "another-installation")))
                .spec(new io.kubernetes.client.openapi.models.V1PodSpec().containers(List.of(
                        new io.kubernetes.client.openapi.models.V1Container().name("runtime").image("local/shell")))))
                .execute();
        try {
            put("mine.tar.gz", TarGz.builder().file("main.sh", "echo mine"));
            create("k-mine", "local/shell", "mine.tar.gz", "main.sh").expectStatus().isCreated();
            execute("k-mine", "").jsonPath("$.body").isEqualTo("mine\n");
            client.delete().uri("/v1/runtimes/k-mine").exchange().expectStatus().isOk();

            // Not reaped through more than one periodic reconciliation pass (5 s): the subject is a window of time.
            await("the other installation's pod is never reaped").during(Duration.ofSeconds(6))
                    .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> HARNESS.core().readNamespacedPod(foreign.getMetadata().getName(), HARNESS.namespace())
                            .execute().getMetadata().getDeletionTimestamp() == null);
            assertThat(pools.forImage("local/shell").metrics().warm()).as("warm pods of this installation").isEqualTo(2);
        } finally {
            HARNESS.core().deleteNamespacedPod(foreign.getMetadata().getName(), HARNESS.namespace()).execute();
        }
    }

    @Test
    void withThirtyPercentOfApiCallsFailingPoolsStillConvergeToSize() {
        put("ok.tar.gz", TarGz.builder().file("main.sh", "echo ok"));
        await("pools filled to size").atMost(GatewayITSupport.WAIT).until(() -> pods().size() == 3);
        HARNESS.faults().apiFailureRate(0.3);
        try {
            for (int i = 0; i < 3; i++) {
                create("k-flaky-" + i, "local/shell", "ok.tar.gz", "main.sh").expectStatus().isCreated();
            }
            await("the pool converges back to size through the failures").atMost(GatewayITSupport.WAIT).until(() ->
                    pools.forImage("local/shell").metrics().warm() == 2);
        } finally {
            HARNESS.faults().apiFailureRate(0);
        }
    }

    private static V1ConfigMap createOwner() {
        try {
            return HARNESS.core().createNamespacedConfigMap(HARNESS.namespace(), new V1ConfigMap().apiVersion("v1")
                    .kind("ConfigMap").metadata(new V1ObjectMeta().name("hearth-pods-owner"))).execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
