package dev.hearth.gateway.it;

import static dev.hearth.gateway.it.UpstreamScenarios.JSON_TYPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.hearth.gateway.it.UpstreamScenarios.Runtime;
import dev.hearth.gateway.it.UpstreamScenarios.Scenario;
import dev.hearth.pool.Secrets;
import dev.hearth.pool.docker.DockerTestEngine;
import dev.hearth.runner.testing.TarGz;
import dev.hearth.runner.testing.docker.OpenRuntimesImages;

/**
 * The data sets of the upstream executor's {@code testScenarios} (§5.2, test 16) that need an Open Runtimes server,
 * run in upstream's flow ({@link UpstreamScenarios}) against the gateway with {@code hearth.driver=docker} on a real
 * Engine: {@code node-v2} (runtime protocol v2 end to end: upstream's v2 build command, the artifact the image's
 * {@code build.sh} leaves at {@code /usr/code/code.tar.gz}, an execution answering the v2 envelope) and the three
 * {@code node-logs} sizes, whose logs are the v5 server's log files: 1 MiB and 5 MiB whole, 15 MiB cut at 5 MiB with
 * upstream's note. The images are the clean-room ones ({@link OpenRuntimesImages}; v5 under Appwrite's name for it),
 * one pool each on Docker's {@code none} network, root with a writable root filesystem as Open Runtimes images need;
 * the functions are {@code openruntimes/functions/scenarios/<folder>}. One difference from upstream: the v5 build's
 * install command is {@code true}, not {@code npm i} (the image has no npm, the functions no dependencies). The rest of
 * {@code testScenarios} runs on the embedded default ({@link UpstreamScenariosIT}).
 */
@ExtendWith({DockerTestEngine.class, DockerUpstreamScenariosIT.NothingLeftAfterShutdown.class})
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hearth.driver=docker",
        "hearth.executor.secret=" + DockerUpstreamScenariosIT.SECRET,
        "hearth.pool-defaults.acquire-timeout=60s",
        "hearth.pool-defaults.start-timeout=60s",
        "hearth.pool-defaults.adapter=openruntimes",
        "hearth.pool-defaults.size=1",
        "hearth.pool-defaults.docker.user=0",
        "hearth.pool-defaults.docker.read-only-root-filesystem=false",
        "hearth.pool-defaults.docker.memory=512MB",
        "hearth.pools[0].image=" + OpenRuntimesImages.APPWRITE_NODE,
        "hearth.pools[0].command=" + AppwriteCalls.RUNTIME_ENTRYPOINT,
        "hearth.pools[1].image=" + OpenRuntimesImages.V2,
        "hearth.pools[1].command=/usr/local/src/start.sh",
})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class DockerUpstreamScenariosIT {

    static final String SECRET = "scenarios-docker-secret";
    static final String INSTALLATION = "it-scenarios-" + Secrets.hex(3);
    static final Duration WAIT = Duration.ofSeconds(90);
    static final Path STORAGE = tempDir("hearth-scenarios");
    /** Short: a socket path has at most 107 bytes. */
    static final Path SOCKETS = tempDir("hs");
    /** Built (or found) when the class loads: the pools' images must be on the Engine before the gateway starts. */
    static final String V5_IMAGE = OpenRuntimesImages.v5();
    static final String V2_IMAGE = OpenRuntimesImages.v2();
    /** Warm containers when nothing runs: one per pool. */
    static final int WARM = 2;

    /** Upstream's v5 lines, the install command {@code true} for its {@code npm i}. */
    static final Runtime NODE_V5 = new Runtime(OpenRuntimesImages.APPWRITE_NODE, "v5", "index.js",
            AppwriteCalls.RUNTIME_ENTRYPOINT, "tar -zxf /tmp/code.tar.gz -C /mnt/code && bash helpers/build.sh \"true\"");
    /** Upstream's v2 lines, verbatim: no start command (the image's CMD), and the build Appwrite sends. */
    static final Runtime NODE_V2 = new Runtime(OpenRuntimesImages.V2, "v2", "index.js", "",
            "tar -zxf /tmp/code.tar.gz -C /usr/code && cd /usr/local/src/ && ./build.sh");

    private static final int MIB = 1024 * 1024;
    /** Upstream's note after a log file cut at its 5 MiB cap ({@code MAX_LOG_SIZE}). */
    private static final String LOG_TRUNCATED = "\nLog file has been truncated to 5.00MB.";

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

    static Stream<Scenario> provideScenarios() {
        return Stream.of(
                new Scenario("node-v2", NODE_V2, function("node-v2"), NODE_V2.buildCommand(), JSON_TYPE, null, true, 1,
                        512, 45, answer -> {
                            answer.isOk(200);
                            assertThat(answer.text("body")).isEqualTo("{\"message\":\"Hello Open Runtimes 👋\"}");
                            answer.noLogs();
                        }, built -> assertThat((List<?>) built.get("output")).as("a v2 build's output, as upstream's")
                                .singleElement().extracting(chunk -> ((Map<?, ?>) chunk).get("content"))
                                .asString().contains("Build finished.")),
                logs(1, logs -> assertLines(logs, MIB)),
                logs(5, logs -> assertLines(logs, 5 * MIB)),
                logs(15, logs -> {
                    assertThat(logs.length()).as("logs' length").isGreaterThan(5 * MIB).isLessThan(6 * MIB);
                    assertThat(logs.contains("truncated")).as("logs mention the truncation").isTrue();
                    assertLines(logs.substring(0, 5 * MIB), 5 * MIB);
                    assertThat(logs.substring(5 * MIB)).as("after the first 5 MiB").isEqualTo(LOG_TRUNCATED);
                }));
    }

    @BeforeEach
    void client() {
        client = WebTestClient.bindToServer(new ReleasingConnector()).baseUrl("http://127.0.0.1:" + port).responseTimeout(WAIT)
                .defaultHeader("authorization", "Bearer " + SECRET)
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(64 * MIB))
                .build();
    }

    /** Every scenario's build and execution containers are gone once it ends; the pools are warm again. */
    @AfterEach
    void onlyWarmContainersLeft() {
        await("only the pools' warm containers are left").atMost(WAIT)
                .until(() -> DockerTestEngine.containersOf(INSTALLATION).size() == WARM);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("provideScenarios")
    void testScenarios(Scenario scenario) {
        String source = "/storage/functions/" + scenario.folder() + "/code.tar.gz";
        Path file = STORAGE.resolve(source.substring(1));
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        scenario.code().writeTo(file);
        UpstreamScenarios.run(client, scenario, source);
    }

    /**
     * A {@code node-logs} data set: {@code mebibytes} of logs asked for, what upstream asserts (the body, no errors),
     * then {@code logs} on the logs.
     */
    private static Scenario logs(int mebibytes, Consumer<String> logs) {
        return new Scenario("node-logs", NODE_V5, function("node-logs"), JSON_TYPE,
                Integer.toString(mebibytes).getBytes(StandardCharsets.UTF_8), true, answer -> {
                    assertThat(answer.status()).as("HTTP status").isEqualTo(200);
                    assertThat(answer.text("body")).isEqualTo("OK");
                    assertThat(answer.text("errors")).as("errors").isEmpty();
                    logs.accept(answer.text("logs"));
                });
    }

    /**
     * {@code logs} is {@code length} bytes of the function's lines (1,023 "A"s and a newline), byte for byte. Checked
     * without AssertJ's string assertions, whose failure messages would print megabytes.
     */
    private static void assertLines(String logs, int length) {
        assertThat(logs.length()).as("logs' length").isEqualTo(length);
        String expected = ("A".repeat(1023) + "\n").repeat(length / 1024);
        assertThat(logs.equals(expected)).as("logs are the function's lines, byte for byte").isTrue();
    }

    /** The function of upstream's {@code folder}, packed as upstream's test packs it. */
    private static TarGz.Builder function(String folder) {
        TarGz.Builder archive = TarGz.builder();
        Path dir = Path.of("src/test/resources/openruntimes/functions/scenarios", folder);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                archive.file(file.getFileName().toString(), Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return archive;
    }

    /** After the gateway stopped (the Spring extension's afterAll runs first): nothing of its installation is left. */
    static final class NothingLeftAfterShutdown implements AfterAllCallback {
        @Override
        public void afterAll(ExtensionContext context) {
            assertThat(DockerTestEngine.containersOf(INSTALLATION)).as("containers after the gateway stopped").isEmpty();
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
