package dev.hearth.gateway.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import com.github.dockerjava.api.model.AccessMode;
import dev.hearth.runner.testing.TarGz;
import dev.hearth.runner.testing.docker.LocalImages;
import dev.hearth.runner.testing.docker.PodContainers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway image ({@code docker/gateway}) as the chart runs it: built from the jar this build packaged (the
 * Dockerfile's {@code prebuilt} stage) on the local Debian base with Debian's JRE, started as its own user (uid
 * 10001) with a read-only root filesystem and a writable tmpfs at {@code /tmp} (the JVM's temporary directory,
 * hence {@code hearth.work-dir}), all capabilities dropped, and the function sources on a read-only mount. With
 * the embedded default's configuration its pods are runners inside the gateway's JVM, so the execution's function
 * is a process of the container: it reports the user and the root filesystem it sees.
 *
 * <p>Runs in failsafe, after {@code package}; see {@link LocalImages} for the engine and the bases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayImageIT {

    private static final String SECRET = "gateway-image-test-secret";
    private static final String FUNCTION = """
            echo "uid=$(id -u) gid=$(id -g)"
            if touch /app/probe 2>/dev/null; then echo "/app: writable"; else echo "/app: read-only"; fi
            if touch /tmp/probe 2>/dev/null; then echo "/tmp: writable"; else echo "/tmp: read-only"; fi
            cat
            """;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private GenericContainer<?> gateway;
    private int port;

    @BeforeAll
    void buildAndStart(@TempDir Path storage) throws Exception {
        Path jar = Path.of(System.getProperty("hearth.gateway.jar", "target/hearth-gateway.jar"));
        assertThat(jar).as("the packaged gateway jar (run through ./mvnw verify)").isRegularFile();
        String image = LocalImages.dockerfile("hearth-local/gateway:test", "docker/gateway/Dockerfile")
                .arg("BASE", LocalImages.DEBIAN)
                .target("prebuilt")
                .file("gateway/target/hearth-gateway.jar", jar)
                .get();

        Files.write(storage.resolve("probe.tar.gz"), TarGz.builder().file("main.sh", FUNCTION).build());
        Files.setPosixFilePermissions(storage, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(storage.resolve("probe.tar.gz"), PosixFilePermissions.fromString("rw-r--r--"));
        port = freePort();
        gateway = PodContainers.mount(PodContainers.of(image, "/tmp"), storage.toString(), "/storage", AccessMode.ro)
                .withEnv(Map.of("PORT", Integer.toString(port),
                        "OPR_EXECUTOR_SECRET", SECRET,
                        "HEARTH_STORAGE_ROOT", "/storage"))
                .waitingFor(Wait.forLogMessage(".*Started HearthApplication.*\\n", 1)
                        .withStartupTimeout(Duration.ofMinutes(2)));
        long started = System.nanoTime();
        gateway.start();
        System.out.printf("gateway container started in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.stop();
        }
    }

    @Test
    void runsAsUid10001OnAReadOnlyRootAndServesAnExecutionEndToEnd() throws Exception {
        HttpResponse<String> created = post("/v1/runtimes", """
                {"runtimeId":"image-probe","image":"local/shell","source":"probe.tar.gz","entrypoint":"main.sh"}""");
        HttpResponse<String> executed = post("/v1/runtimes/image-probe/executions", """
                {"method":"POST","path":"/probe","body":"hello through the container"}""");
        JsonNode result = json.readTree(executed.body());
        HttpResponse<String> deleted = http.send(request("/v1/runtimes/image-probe").DELETE().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(created.statusCode()).as("create: %s", created.body()).isEqualTo(201);
        assertThat(executed.statusCode()).as("execute: %s", executed.body()).isEqualTo(200);
        assertThat(result.path("statusCode").asInt()).as("the function's status; errors: %s",
                result.path("errors").asString()).isEqualTo(200);
        assertThat(result.path("body").asString()).as("what the function, a process of the container, saw")
                .isEqualTo("uid=10001 gid=10001\n/app: read-only\n/tmp: writable\nhello through the container");
        assertThat(deleted.statusCode()).as("delete").isEqualTo(200);
        assertThat(PodContainers.hostStatusOfPid1(gateway)).as("the gateway's JVM, PID 1, from the host")
                .containsPattern("(?m)^Uid:\\s+10001\\s+10001\\s+10001\\s+10001$")
                .containsPattern("(?m)^CapEff:\\s+0+$");
        assertThat(gateway.getContainerInfo().getHostConfig().getReadonlyRootfs()).as("read-only root").isTrue();
        assertThat(gateway.getLogs()).as("the gateway's log").doesNotContain(" ERROR ");
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(request(path)
                        .header("content-type", "application/json")
                        .header("accept", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("authorization", "Bearer " + SECRET)
                .timeout(Duration.ofSeconds(30));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
