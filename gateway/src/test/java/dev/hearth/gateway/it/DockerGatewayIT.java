package dev.hearth.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.github.dockerjava.api.model.Container;

import dev.hearth.pool.Pools;
import dev.hearth.pool.Secrets;
import dev.hearth.pool.docker.DockerLabels;
import dev.hearth.pool.docker.DockerTestEngine;
import dev.hearth.pool.runtime.Runtimes;
import dev.hearth.runner.testing.TarGz;

/**
 * The gateway with {@code hearth.driver=docker} on a real Engine ({@link DockerTestEngine}, {@code DOCKER_HOST}): every
 * pod is a container of a busybox image running the runner distribution built from this build's jars, bind-mounted.
 * Pools fill to size with containers, runtimes serve {@code exec} and {@code http} functions through them, a size-0
 * pool makes a container per runtime, deleting a runtime removes its container, a container killed from outside ends
 * its runtime and is replaced, and once the gateway stops no container of its installation is left.
 */
@ExtendWith({DockerTestEngine.class, DockerGatewayIT.NothingLeftAfterShutdown.class})
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hearth.driver=docker",
        "hearth.executor.secret=" + DockerGatewayIT.SECRET,
        "hearth.pool-defaults.acquire-timeout=60s",
        "hearth.pool-defaults.start-timeout=60s",
        "hearth.pool-defaults.docker.memory=256MB",
        "hearth.pools[0].image=hearth-test/shell:1", "hearth.pools[0].adapter=exec", "hearth.pools[0].command=sh",
        "hearth.pools[0].size=2",
        "hearth.pools[1].image=hearth-test/httpd:1", "hearth.pools[1].adapter=http", "hearth.pools[1].command=sh",
        "hearth.pools[1].size=1", "hearth.pools[1].docker.env.EXTRA=on",
        "hearth.pools[2].image=hearth-test/once:1", "hearth.pools[2].adapter=exec", "hearth.pools[2].command=sh",
        "hearth.pools[2].size=0",
})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class DockerGatewayIT {

    static final String SECRET = "docker-it-secret";
    static final String INSTALLATION = "it-gateway-" + Secrets.hex(3);
    static final Duration WAIT = Duration.ofSeconds(90);
    static final Path STORAGE = tempDir();

    @Value("${local.server.port}")
    int port;

    @Autowired
    Pools pools;

    @Autowired
    Runtimes runtimes;

    WebTestClient client;

    @DynamicPropertySource
    static void engine(DynamicPropertyRegistry registry) {
        registry.add("hearth.docker.host", DockerTestEngine::host);
        registry.add("hearth.docker.installation", () -> INSTALLATION);
        registry.add("hearth.docker.runner-path", () -> DockerTestEngine.distribution().toString());
        registry.add("hearth.docker.runner-port", DockerGatewayIT::freePort);
        registry.add("hearth.storage-root", STORAGE::toString);
        registry.add("hearth.work-dir", () -> STORAGE.resolve("work").toString());
    }

    /**
     * Runs after the gateway stopped ({@code @DirtiesContext} closes it in the Spring extension's {@code afterAll},
     * which runs first: this extension is registered before it). Stopping removes every container: none may be left.
     */
    static final class NothingLeftAfterShutdown implements AfterAllCallback {
        @Override
        public void afterAll(ExtensionContext context) {
            assertThat(DockerTestEngine.containersOf(INSTALLATION)).as("containers after the gateway stopped").isEmpty();
        }
    }

    @BeforeEach
    void client() {
        client = WebTestClient.bindToServer(new ReleasingConnector()).baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(90))
                .defaultHeader("Authorization", "Bearer " + SECRET).build();
    }

    @AfterEach
    void poolsBackAtSize() {
        runtimes.list().flatMap(record -> runtimes.delete(record.runtimeId())).blockLast(Duration.ofSeconds(60));
        await("pools back at size with nothing claimed").atMost(WAIT).until(() -> pools.all().stream().allMatch(pool ->
                pool.metrics().warm() == pool.config().size() && pool.metrics().claimed() == 0));
        await("only the warm containers exist").atMost(WAIT).until(() -> containers().size() == 3);
    }

    @Test
    void poolsFillToSizeWithLabelledContainers() {
        await("pools filled to size").atMost(WAIT).until(() -> containers().size() == 3);

        assertThat(containers()).as("containers")
                .allSatisfy(container -> assertThat(container.getLabels())
                        .containsEntry(DockerLabels.STATE, DockerLabels.STATE_WARM)
                        .containsEntry(DockerLabels.INSTALLATION, INSTALLATION))
                .extracting(container -> container.getLabels().get(DockerLabels.POOL))
                .containsExactlyInAnyOrder("hearth-test/shell:1", "hearth-test/shell:1", "hearth-test/httpd:1");
    }

    @Test
    void execRuntimeServesThroughAContainerWhichGoesWithTheRuntime() {
        TarGz.builder().file("main.sh", "echo \"$(cat) as $(id -u)\"").writeTo(STORAGE.resolve("exec.tar.gz"));
        create("d-exec", "hearth-test/shell:1", "exec.tar.gz", "main.sh").expectStatus().isCreated();
        String podId = runtimes.get("d-exec").block(WAIT).podId();
        assertThat(names()).as("the runtime's container").contains(podId);

        assertThat(containers()).as("a warm container, not one made for the runtime").anySatisfy(container ->
                assertThat(container.getLabels()).containsEntry(DockerLabels.POD_ID, podId)
                        .containsEntry(DockerLabels.STATE, DockerLabels.STATE_WARM));
        execute("d-exec", "through a container").jsonPath("$.body").isEqualTo("through a container as 10001\n");
        await("the pool refills while the runtime lives").atMost(WAIT).until(() ->
                pools.forImage("hearth-test/shell:1").metrics().warm() == 2);

        client.delete().uri("/v1/runtimes/d-exec").exchange().expectStatus().isOk();
        await("the runtime's container is removed").atMost(WAIT).until(() -> !names().contains(podId));
    }

    @Test
    void httpRuntimeServesThroughAContainer() {
        TarGz.builder().file("www/index.html", "served by busybox httpd\n")
                .file("serve.sh", "exec httpd -f -p 127.0.0.1:$PORT -h www")
                .writeTo(STORAGE.resolve("site.tar.gz"));
        create("d-http", "hearth-test/httpd:1", "site.tar.gz", "serve.sh").expectStatus().isCreated();

        client.post().uri("/v1/runtimes/d-http/executions").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON).bodyValue(Map.of("method", "GET", "path", "/index.html"))
                .exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.statusCode").isEqualTo(200)
                .jsonPath("$.body").isEqualTo("served by busybox httpd\n");
    }

    @Test
    void sizeZeroPoolMakesAContainerPerRuntime() {
        TarGz.builder().file("main.sh", "echo once").writeTo(STORAGE.resolve("once.tar.gz"));
        create("d-once", "hearth-test/once:1", "once.tar.gz", "main.sh").expectStatus().isCreated();
        String podId = runtimes.get("d-once").block(WAIT).podId();
        assertThat(containers()).as("the runtime's container, born claimed").anySatisfy(container -> {
            assertThat(container.getLabels()).containsEntry(DockerLabels.POD_ID, podId)
                    .containsEntry(DockerLabels.STATE, DockerLabels.STATE_CLAIMED);
        });

        execute("d-once", "").jsonPath("$.body").isEqualTo("once\n");

        client.delete().uri("/v1/runtimes/d-once").exchange().expectStatus().isOk();
        await("the runtime's container is removed").atMost(WAIT).until(() -> !names().contains(podId));
    }

    /**
     * Any image: one with no entry gets a pool made at call time, a container per runtime limited to exactly the
     * runtime's cpus and memory, removed with it. (An Open Runtimes image without an entry: HearthPropertiesTest.)
     */
    @Test
    void anUnconfiguredImageRunsInAContainerWithExactlyTheRuntimesLimits() {
        TarGz.builder().file("main.sh", "echo unconfigured").writeTo(STORAGE.resolve("any.tar.gz"));
        Map<String, Object> create = new java.util.LinkedHashMap<>(Map.of("runtimeId", "d-any",
                "image", "hearth-test/other:1", "source", "any.tar.gz", "entrypoint", "main.sh", "version", "v4"));
        create.put("cpus", 0.5);
        create.put("memory", 300);
        client.post().uri("/v1/runtimes").contentType(MediaType.APPLICATION_JSON).bodyValue(create)
                .exchange().expectStatus().isCreated();
        String podId = runtimes.get("d-any").block(WAIT).podId();

        var host = DockerTestEngine.client().inspectContainerCmd(podId).exec().getHostConfig();
        assertThat(host.getNanoCPUs()).as("cpus").isEqualTo(500_000_000L);
        assertThat(host.getMemory()).as("memory").isEqualTo(300L << 20);
        execute("d-any", "").jsonPath("$.body").isEqualTo("unconfigured\n");

        client.delete().uri("/v1/runtimes/d-any").exchange().expectStatus().isOk();
        await("the runtime's container is removed").atMost(WAIT).until(() -> !names().contains(podId));

    }

    @ParameterizedTest
    @ValueSource(strings = {"hearth-test/shell:1", "hearth-test/once:1"})
    void aBuildRunsInAContainerAndARuntimeRunsFromItsArtifact(String image) {
        String app = image.replaceAll("[^a-z]", "-");
        TarGz.builder().file("build.sh", "echo \"echo built in a container for $APP\" > main.sh")
                .writeTo(STORAGE.resolve(app + "-src.tar.gz"));
        Map<String, Object> build = new java.util.LinkedHashMap<>();
        build.put("runtimeId", app + "-build");
        build.put("source", "/" + app + "-src.tar.gz");
        build.put("destination", "/builds/" + app);
        build.put("image", image);
        build.put("entrypoint", "main.sh");
        build.put("variables", Map.of("APP", app));
        build.put("remove", true);
        build.put("command", "tar -zxf /tmp/code.tar.gz -C /mnt/code && cd /mnt/code && sh build.sh"
                + " && tar -czf \"$TMPDIR/a.tar.gz\" . && mv \"$TMPDIR/a.tar.gz\" /mnt/code/code.tar.gz");

        Map<?, ?> built = client.post().uri("/v1/runtimes").contentType(MediaType.APPLICATION_JSON).bodyValue(build)
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();

        String path = (String) built.get("path");
        assertThat(STORAGE.resolve(path.substring(1))).isRegularFile();
        create(app + "-run", "hearth-test/shell:1", path.substring(1), "main.sh").expectStatus().isCreated();
        execute(app + "-run", "").jsonPath("$.body").isEqualTo("built in a container for " + app + "\n");
    }

    @Test
    void containerKilledFromOutsideEndsItsRuntimeAndIsReplaced() {
        TarGz.builder().file("main.sh", "echo alive").writeTo(STORAGE.resolve("alive.tar.gz"));
        create("d-killed", "hearth-test/shell:1", "alive.tar.gz", "main.sh").expectStatus().isCreated();
        String podId = runtimes.get("d-killed").block(WAIT).podId();
        await("the pool refills while the runtime lives").atMost(WAIT).until(() ->
                pools.forImage("hearth-test/shell:1").metrics().warm() == 2);

        DockerTestEngine.client().killContainerCmd(podId).exec();

        await("the runtime ends").atMost(WAIT).until(() -> runtimes.get("d-killed").blockOptional(WAIT).isEmpty());
        client.get().uri("/v1/runtimes/d-killed").exchange().expectStatus().isNotFound();
        await("its container is removed").atMost(WAIT).until(() -> !names().contains(podId));
    }

    /**
     * Asks for 256 MB, what the warm pools' containers have: a runtime asking more (Open Runtimes' default is 512)
     * would get a container of its own instead of a warm one (README, "Pools").
     */
    private WebTestClient.ResponseSpec create(String id, String image, String source, String entrypoint) {
        return client.post().uri("/v1/runtimes").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("runtimeId", id, "image", image, "source", source, "entrypoint", entrypoint,
                        "memory", 256))
                .exchange();
    }

    private WebTestClient.BodyContentSpec execute(String id, String body) {
        return client.post().uri("/v1/runtimes/" + id + "/executions").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON).bodyValue(Map.of("body", body, "method", "POST"))
                .exchange().expectStatus().isOk().expectBody();
    }

    private static List<Container> containers() {
        return DockerTestEngine.containersOf(INSTALLATION);
    }

    private static List<String> names() {
        return containers().stream().map(container -> container.getNames()[0].substring(1)).toList();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("hearth-docker-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
