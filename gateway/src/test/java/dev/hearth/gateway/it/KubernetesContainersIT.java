package dev.hearth.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;

import dev.hearth.pool.Pools;
import dev.hearth.pool.kubernetes.PodTemplates;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import dev.hearth.pool.runtime.Runtimes;
import dev.hearth.runner.testing.TarGz;
import dev.hearth.runner.testing.TestDistribution;
import dev.hearth.runner.testing.docker.LocalImages;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;

/**
 * The gateway with {@code hearth.driver=kubernetes} against the mock API server, its simulated kubelet in container
 * mode: every pod of Hearth's template runs as Docker containers on the engine {@code DOCKER_HOST} names — the init
 * container of the runner image built from {@code docker/runner}, then the pool's image (the example images of
 * {@code docker/runtimes}) running {@code /opt/hearth/runner} with the template's security context and limits. Fails,
 * never skips, without an engine ({@link LocalImages#requireEngine}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hearth.driver=kubernetes",
        "hearth.executor.secret=" + KubernetesContainersIT.SECRET,
        "hearth.pool-defaults.acquire-timeout=30s",
        "hearth.pool-defaults.start-timeout=30s",
        "hearth.pool-defaults.kubernetes.limits.memory=256Mi",
        "hearth.pool-defaults.kubernetes.limits.cpu=1",
        "hearth.pools[0].image=" + KubernetesContainersIT.PYTHON, "hearth.pools[0].adapter=exec",
        "hearth.pools[0].command=python3", "hearth.pools[0].size=1",
        "hearth.pools[1].image=" + KubernetesContainersIT.NODE, "hearth.pools[1].adapter=http",
        "hearth.pools[1].command=node", "hearth.pools[1].size=1",
        "hearth.pools[2].image=" + KubernetesContainersIT.ROOT_IMAGE, "hearth.pools[2].adapter=exec",
        "hearth.pools[2].command=sh", "hearth.pools[2].size=0",
        "hearth.pools[3].image=" + KubernetesContainersIT.SMALL, "hearth.pools[3].adapter=exec",
        "hearth.pools[3].command=python3", "hearth.pools[3].size=0",
        "hearth.pools[3].kubernetes.limits.memory=160Mi",
        "hearth.kubernetes.api-retries=1",
        "hearth.kubernetes.breaker-minimum-calls=2",
        "hearth.kubernetes.breaker-open-for=2s",
})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class KubernetesContainersIT {

    static final String SECRET = "k8s-containers-it-secret";
    static final String PYTHON = "hearth-example/python:test";
    static final String NODE = "hearth-example/node:test";
    /** The python image under another name, for a pool with a small memory limit. */
    static final String SMALL = "hearth-example/python-small:test";
    /** busybox as imported: no USER, so it runs as root unless told otherwise. */
    static final String ROOT_IMAGE = LocalImages.BUSYBOX;
    static final Duration WAIT = Duration.ofSeconds(60);
    static final DockerClient DOCKER = LocalImages.requireEngine();
    static final String RUNNER_IMAGE = buildImages();
    static final KubernetesHarness HARNESS = KubernetesHarness.builder().namespace("hearth").containers().build();
    static final Path STORAGE = tempDir();

    @Value("${local.server.port}")
    int port;

    @Autowired
    Pools pools;

    @Autowired
    Runtimes runtimes;

    WebTestClient client;

    @DynamicPropertySource
    static void cluster(DynamicPropertyRegistry registry) {
        registry.add("hearth.kubernetes.api-server", () -> HARNESS.apiClient().getBasePath());
        registry.add("hearth.kubernetes.namespace", HARNESS::namespace);
        registry.add("hearth.kubernetes.runner-port", HARNESS::runnerPort);
        registry.add("hearth.kubernetes.runner-image", () -> RUNNER_IMAGE);
        registry.add("hearth.storage-root", STORAGE::toString);
    }

    @AfterAll
    static void nothingLeaks() {
        String label = HARNESS.kubelet().containerLabelValue();
        HARNESS.close();
        assertThat(containers(label)).as("containers of the harness after it closed").isEmpty();
    }

    @BeforeEach
    void client() {
        client = WebTestClient.bindToServer(new ReleasingConnector()).baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(WAIT)
                .defaultHeader("Authorization", "Bearer " + SECRET).build();
    }

    @AfterEach
    void onlyTheWarmPodsRemain() {
        HARNESS.faults().podAdmission(null);
        runtimes.list().flatMap(record -> runtimes.delete(record.runtimeId())).blockLast(WAIT);
        await("the warm pools back at size, nothing claimed").atMost(WAIT).until(() -> pools.all().stream()
                .allMatch(pool -> pool.metrics().warm() == pool.config().size() && pool.metrics().claimed() == 0));
        await("only the two warm pods exist").atMost(WAIT).until(() -> pods().size() == 2);
        await("only the warm pods' containers exist (an init and a runtime container each)").atMost(WAIT)
                .until(() -> containers(HARNESS.kubelet().containerLabelValue()).size() == 4);
    }

    @Test
    void theRunnerArrivesThroughTheInitContainerAndRunsAsANonRootUserOnAReadOnlyRoot() {
        TarGz.builder().file("main.py", """
                        import os, sys
                        try:
                            open('/written-by-the-function', 'w')
                            root = 'writable'
                        except OSError as e:
                            root = 'read-only' if e.errno == 30 else str(e)
                        open('/tmp/scratch', 'w').write('ok')
                        print(f"uid={os.getuid()} gid={os.getgid()} root={root} got={sys.stdin.read()}", end='')
                        """)
                .writeTo(STORAGE.resolve("whoami.tar.gz"));
        create("c-exec", PYTHON, "whoami.tar.gz", "main.py").expectStatus().isCreated();

        execute("c-exec", "hi").jsonPath("$.statusCode").isEqualTo(200)
                .jsonPath("$.body").isEqualTo("uid=10001 gid=10001 root=read-only got=hi");
        V1Pod pod = podOf("c-exec");
        V1ContainerStatus init = pod.getStatus().getInitContainerStatuses().get(0);
        assertThat(init.getName()).as("init container").isEqualTo(PodTemplates.INIT_CONTAINER);
        assertThat(init.getImage()).as("init image").isEqualTo(RUNNER_IMAGE);
        assertThat(init.getState().getTerminated().getExitCode()).as("the init container's exit code").isZero();
        var runtime = DOCKER.inspectContainerCmd(containerOf(pod, PodTemplates.RUNTIME_CONTAINER)).exec();
        assertThat(runtime.getConfig().getEntrypoint()).as("runtime command").containsExactly(PodTemplates.RUNNER_COMMAND);
        assertThat(runtime.getHostConfig().getReadonlyRootfs()).as("read-only root").isTrue();
        assertThat(runtime.getHostConfig().getSecurityOpts()).as("security options").contains("no-new-privileges");
        assertThat(runtime.getHostConfig().getCapDrop()).as("dropped capabilities").hasSize(1)
                .allSatisfy(cap -> assertThat(cap.name()).isEqualTo("ALL"));
        assertThat(runtime.getHostConfig().getMemory()).as("memory limit").isEqualTo(256L << 20);
        assertThat(logs(containerOf(pod, PodTemplates.INIT_CONTAINER))).as("the init container's output")
                .doesNotContain("No such file", "Permission denied", "Read-only");
        assertThat(logs(runtime.getId())).as("the runner's output: its class archive was usable from the emptyDir")
                .doesNotContain("Unable to use shared archive");
    }

    @Test
    void anHttpFunctionServesFromTheNodeImage() throws IOException {
        TarGz.builder().file("index.js", Files.readString(Path.of("..", "examples", "hello-node", "index.js")))
                .writeTo(STORAGE.resolve("node.tar.gz"));
        create("c-http", NODE, "node.tar.gz", "index.js").expectStatus().isCreated();

        execute("c-http", "hi").jsonPath("$.statusCode").isEqualTo(200)
                .jsonPath("$.body").value(body -> assertThat(body.toString()).contains("Hello"));
    }

    @Test
    void aRootImageRunsAsTheTemplatesUserButFailsAsTheKubeletFailsItWithoutOne() {
        TarGz.builder().file("main.sh", "id -u").writeTo(STORAGE.resolve("id.tar.gz"));
        create("c-root-ok", ROOT_IMAGE, "id.tar.gz", "main.sh").expectStatus().isCreated();
        execute("c-root-ok", "").jsonPath("$.body").isEqualTo("10001\n");

        // A cluster policy that drops runAsUser: now the image's user decides, and runAsNonRoot refuses root.
        HARNESS.faults().podAdmission(pod -> ROOT_IMAGE.equals(pod.getSpec().getContainers().get(0).getImage())
                ? withoutRunAsUser(pod) : pod);
        long started = System.nanoTime();
        var refused = create("c-root", ROOT_IMAGE, "id.tar.gz", "main.sh").returnResult(String.class);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        String body = new String(refused.getResponseBodyContent() == null ? new byte[0] : refused.getResponseBodyContent());
        assertThat(refused.getStatus().value()).as("status; body %s", body).isEqualTo(503);
        assertThat(body).as("the error names the pool, the kubelet's reason and its message")
                .contains("\"type\":\"pool_degraded\"", ROOT_IMAGE, "CreateContainerConfigError",
                        "container has runAsNonRoot and image will run as root");
        assertThat(tookMillis).as("answered well before the acquire timeout (30 s): no hang").isLessThan(15_000);
    }

    @Test
    void exceedingTheMemoryLimitEndsThePodOomKilledWithAClearExecutionError() {
        TarGz.builder().file("main.py", "hog = b'x' * (400 << 20)\nprint(len(hog))\n")
                .writeTo(STORAGE.resolve("hog.tar.gz"));
        // A size-0 pool's pod has exactly the runtime's memory.
        create("c-oom", SMALL, "hog.tar.gz", "main.py", 160).expectStatus().isCreated();
        String podName = podOf("c-oom").getMetadata().getName();

        var result = client.post().uri("/v1/runtimes/c-oom/executions").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON).bodyValue(Map.of("body", "", "method", "POST"))
                .exchange().returnResult(String.class);
        String body = new String(result.getResponseBodyContent() == null ? new byte[0] : result.getResponseBodyContent());

        await("the kubelet reports the runtime container ended").atMost(WAIT)
                .until(() -> HARNESS.kubelet().termination(podName) != null);
        var ended = HARNESS.kubelet().termination(podName);
        assertThat(ended.getReason()).as("reason").isEqualTo("OOMKilled");
        assertThat(ended.getExitCode()).as("exit code (SIGKILL)").isEqualTo(137);
        assertThat(result.getStatus().value()).as("status; body %s", body).isEqualTo(500);
        assertThat(body).as("the execution error").contains("\"type\":\"general_unknown\"",
                "The runtime's pod could not be reached or failed mid-execution");
    }

    /**
     * Asks for 256 MB, what the warm pools' pods have: a runtime asking more (Open Runtimes' default is 512) would get
     * a pod of its own instead of a warm one (README, "Pools").
     */
    private WebTestClient.ResponseSpec create(String id, String image, String source, String entrypoint) {
        return create(id, image, source, entrypoint, 256);
    }

    private WebTestClient.ResponseSpec create(String id, String image, String source, String entrypoint, int memory) {
        return client.post().uri("/v1/runtimes").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("runtimeId", id, "image", image, "source", source, "entrypoint", entrypoint,
                        "memory", memory))
                .exchange();
    }

    private WebTestClient.BodyContentSpec execute(String id, String body) {
        return client.post().uri("/v1/runtimes/" + id + "/executions").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON).bodyValue(Map.of("body", body, "method", "POST"))
                .exchange().expectStatus().isOk().expectBody();
    }

    private V1Pod podOf(String runtimeId) {
        String hostname = (String) client.get().uri("/v1/runtimes/" + runtimeId).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody().get("hostname");
        return pods().stream()
                .filter(pod -> hostname.equals(pod.getMetadata().getLabels().get("hearth.dev/pod-id")))
                .findFirst().orElseThrow(() -> new AssertionError("no pod " + hostname + " in " + pods()));
    }

    private static String containerOf(V1Pod pod, String container) {
        return containers(HARNESS.kubelet().containerLabelValue()).stream()
                .filter(c -> pod.getMetadata().getName().equals(c.getLabels().get("dev.hearth.harness.pod"))
                        && c.getNames()[0].endsWith("-" + container))
                .findFirst().orElseThrow().getId();
    }

    private static String logs(String containerId) {
        var output = new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
            final StringBuilder text = new StringBuilder();

            @Override
            public void onNext(com.github.dockerjava.api.model.Frame frame) {
                text.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
            }
        };
        try {
            DOCKER.logContainerCmd(containerId).withStdOut(true).withStdErr(true).exec(output)
                    .awaitCompletion(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return output.text.toString();
    }

    private static V1Pod withoutRunAsUser(V1Pod pod) {
        pod.getSpec().getSecurityContext().runAsUser(null).runAsGroup(null);
        pod.getSpec().getInitContainers().forEach(c -> c.getSecurityContext().runAsUser(null));
        pod.getSpec().getContainers().forEach(c -> c.getSecurityContext().runAsUser(null));
        return pod;
    }

    private static List<Container> containers(String label) {
        return DOCKER.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("dev.hearth.harness", label)).exec();
    }

    private static List<V1Pod> pods() {
        try {
            return HARNESS.core().listNamespacedPod(HARNESS.namespace()).execute().getItems().stream()
                    .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The runner image from docker/runner and the example images from docker/runtimes, on the local bases. */
    private static String buildImages() {
        String runner = LocalImages.runnerImage(TestDistribution.current());
        String python = LocalImages.dockerfile(PYTHON, "docker/runtimes/python/Dockerfile")
                .arg("BASE", LocalImages.DEBIAN).get();
        DOCKER.tagImageCmd(python, SMALL.substring(0, SMALL.indexOf(':')), "test").exec();
        LocalImages.dockerfile(NODE, "docker/runtimes/node/Dockerfile").arg("BASE", LocalImages.DEBIAN).get();
        LocalImages.requireBase(ROOT_IMAGE);
        return runner;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("hearth-k8s-containers");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
