package dev.hearth.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Container;

import dev.hearth.pool.Secrets;
import dev.hearth.pool.docker.DockerTestEngine;
import dev.hearth.runner.testing.TarGz;
import dev.hearth.runner.testing.docker.OpenRuntimesImages;

/**
 * Appwrite 1.9.6's build, execution and delete calls ({@link AppwriteCalls}, as Appwrite writes them) replayed against
 * the gateway with {@code hearth.driver=docker} on a real Engine and local storage, for {@code openruntimes/node:v5-22}
 * (the clean-room v5 image under that name, run unchanged as root with a writable root). Its pool is on Docker's
 * {@code none} network, the default for {@code openruntimes}: each container has its own port 3000, so two runtimes
 * serve at the same time, and the gateway reaches each runner through its socket. Once the gateway stops, no container
 * and no socket directory of its installation is left.
 */
@ExtendWith({DockerTestEngine.class, DockerAppwriteReplayIT.NothingLeftAfterShutdown.class})
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hearth.driver=docker",
        "hearth.executor.secret=" + DockerAppwriteReplayIT.SECRET,
        "hearth.pool-defaults.acquire-timeout=60s",
        "hearth.pool-defaults.start-timeout=60s",
        "hearth.pools[0].image=" + OpenRuntimesImages.APPWRITE_NODE,
        "hearth.pools[0].adapter=openruntimes",
        "hearth.pools[0].command=" + AppwriteCalls.RUNTIME_ENTRYPOINT,
        "hearth.pools[0].size=1",
        "hearth.pools[0].docker.user=0",
        "hearth.pools[0].docker.read-only-root-filesystem=false",
        "hearth.pools[0].docker.memory=512MB",
})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class DockerAppwriteReplayIT {

    static final String SECRET = "appwrite-docker-secret";
    static final String INSTALLATION = "it-replay-" + Secrets.hex(3);
    static final Duration WAIT = Duration.ofSeconds(90);
    static final Path STORAGE = tempDir("hearth-replay");
    /** Short: a socket path has at most 107 bytes. */
    static final Path SOCKETS = tempDir("hs");
    /** Built (or found) when the class loads: the pool's image must be on the Engine before the gateway starts. */
    static final String IMAGE = OpenRuntimesImages.v5();
    static final ObjectMapper JSON = new ObjectMapper();
    static final AppwriteCalls APPWRITE = new AppwriteCalls(SECRET, OpenRuntimesImages.APPWRITE_NODE);

    @Value("${local.server.port}")
    int port;

    WebTestClient client;

    @DynamicPropertySource
    static void engine(DynamicPropertyRegistry registry) {
        registry.add("hearth.docker.host", DockerTestEngine::host);
        registry.add("hearth.docker.installation", () -> INSTALLATION);
        registry.add("hearth.docker.runner-path", () -> DockerTestEngine.distribution().toString());
        registry.add("hearth.docker.socket-dir", SOCKETS::toString);
        registry.add("hearth.storage-root", STORAGE::toString);
        registry.add("hearth.work-dir", () -> STORAGE.resolve("work").toString());
    }

    /** After the gateway stopped (the Spring extension's afterAll runs first): nothing of its installation is left. */
    static final class NothingLeftAfterShutdown implements AfterAllCallback {
        @Override
        public void afterAll(ExtensionContext context) {
            assertThat(DockerTestEngine.containersOf(INSTALLATION)).as("containers after the gateway stopped").isEmpty();
            assertThat(socketDirectories()).as("socket directories after the gateway stopped").isZero();
        }
    }

    @BeforeEach
    void client() {
        // No default headers: every header on the wire is one the replayed call carries.
        client = WebTestClient.bindToServer(new ReleasingConnector()).baseUrl("http://127.0.0.1:" + port).responseTimeout(WAIT).build();
    }

    @Test
    void appwritesBuildExecutionsAndDeletesRunThroughUnchangedV5ImagesSideBySide() throws IOException {
        await("the Open Runtimes pool is warm").atMost(WAIT).until(() -> containers().size() == 1);
        assertThat(DockerTestEngine.client().inspectContainerCmd(containers().get(0).getId()).exec().getHostConfig()
                .getNetworkMode()).as("the pool's network").isEqualTo("none");

        String artifact = build();

        AppwriteExecution api = execute(execution("d1", artifact, "/echo?x=1", "POST", apiHeaders(), true,
                AppwriteCalls.FORMAT_API, "{\"hello\":\"world\"}"));
        assertThat(api.statusCode()).as("the function's status").isEqualTo(200);
        assertThat(api.headers().path("x-echo").asText()).as("the function's header").isEqualTo("yes");
        assertThat(api.bodyJson().path("body").asText()).isEqualTo("{\"hello\":\"world\"}");
        assertThat(api.bodyJson().path("query").path("x").asText()).isEqualTo("1");
        assertThat(api.logs()).as("the function's log file").isEqualTo("echo POST /echo\n");
        assertThat(api.errors()).as("the function's error file").isEqualTo("echo error line\n");

        AppwriteExecution router = execute(execution("d1", artifact, "/echo", "GET", routerHeaders(), true,
                AppwriteCalls.FORMAT_ROUTER, null));
        assertThat(router.bodyJson().path("host").asText()).as("the host header reached the function")
                .isEqualTo("fn1.functions.example.test");
        AppwriteExecution cookies = execute(execution("d1", artifact, "/cookies", "GET", routerHeaders(), true,
                AppwriteCalls.FORMAT_ROUTER, null));
        assertThat(cookies.headers().path("set-cookie")).as("0.11.0: repeated headers as an array")
                .extracting(JsonNode::asText).containsExactly("a=1; Path=/", "b=2; Path=/");

        AppwriteExecution silent = execute(execution("d1", artifact, "/logs", "POST", apiHeaders(), false,
                AppwriteCalls.FORMAT_API, null));
        assertThat(silent.statusCode()).as("the function still ran").isEqualTo(201);
        assertThat(silent.logs()).as("logging=0: no logs").isEmpty();
        assertThat(silent.errors()).as("logging=0: no errors").isEmpty();

        AppwriteExecution second = execute(execution("d2", artifact, "/echo", "GET", apiHeaders(), true,
                AppwriteCalls.FORMAT_API, null));
        AppwriteExecution firstAgain = execute(execution("d1", artifact, "/echo", "GET", apiHeaders(), true,
                AppwriteCalls.FORMAT_API, null));
        assertThat(List.of(second.statusCode(), firstAgain.statusCode())).as("two servers on port 3000 at once")
                .containsExactly(200, 200);
        assertThat(containers()).as("both runtimes' containers and the refilled warm one").hasSize(3);

        APPWRITE.delete("p1", "d1").exchange(client).expectStatus().isOk();
        APPWRITE.delete("p1", "d2").exchange(client).expectStatus().isOk();
        APPWRITE.delete("p1", "d1").exchange(client).expectStatus().isNotFound();
        await("only the warm container and its socket directory are left").atMost(WAIT)
                .until(() -> containers().size() == 1 && socketDirectories() == 1);
    }

    /** The Builds worker's call: the artifact lands in storage with what the install command made. */
    private String build() throws IOException {
        String source = "/storage/functions/app-p1/" + AppwriteCalls.uniqid() + ".tar.gz";
        Path sourceFile = STORAGE.resolve(source.substring(1));
        Files.createDirectories(sourceFile.getParent());
        Files.write(sourceFile, functionArchive());
        AppwriteCalls.Call call = APPWRITE.build(new AppwriteCalls.Build("p1", "d1", source, "index.js",
                Map.of("APPWRITE_FUNCTION_ID", "fn1"), "echo \"built for $APPWRITE_FUNCTION_ID\" > built.txt"));

        byte[] answer = call.exchange(client).expectStatus().isCreated().expectBody().returnResult().getResponseBody();
        JsonNode built = JSON.readTree(answer);
        String path = built.path("path").asText();
        assertThat(path).as("the artifact's path; answer %s", built).startsWith("/storage/builds/app-p1/");
        Map<String, String> files = untar(Files.readAllBytes(STORAGE.resolve(path.substring(1))));
        assertThat(files).as("the artifact").containsKeys("./index.js", "./echo.js")
                .containsEntry("./built.txt", "built for fn1\n");
        await("remove: true ends the build's runtime").atMost(WAIT).until(() -> client.get()
                .uri("/v1/runtimes/p1-d1-build").header("authorization", "Bearer " + SECRET).exchange()
                .returnResult(String.class).getStatus().value() == 404);
        return path;
    }

    private static AppwriteCalls.Execution execution(String deployment, String artifact, String path, String method,
                                                     Map<String, String> headers, boolean logging, String format,
                                                     String body) {
        return new AppwriteCalls.Execution("p1", deployment, artifact, "index.js",
                Map.of("APPWRITE_FUNCTION_ID", "fn1"), path, method, headers, logging, format, body);
    }

    private AppwriteExecution execute(AppwriteCalls.Execution execution) {
        EntityExchangeResult<byte[]> result = APPWRITE.execution(execution).exchange(client).expectBody().returnResult();
        byte[] body = result.getResponseBody() == null ? new byte[0] : result.getResponseBody();
        assertThat(result.getStatus().value()).as("status of %s %s; answer %s", execution.method(), execution.path(),
                new String(body, StandardCharsets.UTF_8)).isEqualTo(200);
        return AppwriteExecution.read(result.getResponseHeaders().getFirst("content-type"), body);
    }

    private static Map<String, String> apiHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-appwrite-trigger", "http");
        headers.put("x-appwrite-user-id", "u1");
        return headers;
    }

    private static Map<String, String> routerHeaders() {
        Map<String, String> headers = new LinkedHashMap<>(apiHeaders());
        headers.put("host", "fn1.functions.example.test");
        headers.put("x-forwarded-proto", "https");
        return headers;
    }

    /** The deployment as uploaded: the v5 fixtures of the test resources. */
    private static byte[] functionArchive() throws IOException {
        TarGz.Builder archive = TarGz.builder();
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/openruntimes/functions/v5"))) {
            for (Path file : files.sorted().toList()) {
                archive.file(file.getFileName().toString(), Files.readString(file));
            }
        }
        return archive.build();
    }

    private static Map<String, String> untar(byte[] archive) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                new ByteArrayInputStream(archive)))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (entry.isFile()) {
                    files.put(entry.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return files;
    }

    private static List<Container> containers() {
        return DockerTestEngine.containersOf(INSTALLATION);
    }

    private static int socketDirectories() {
        Path root = SOCKETS.resolve(INSTALLATION);
        if (!Files.isDirectory(root)) {
            return 0;
        }
        try (Stream<Path> children = Files.list(root)) {
            return (int) children.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
