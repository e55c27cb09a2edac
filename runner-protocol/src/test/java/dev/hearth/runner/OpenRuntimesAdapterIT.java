package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.hearth.runner.RunnerConfig.OpenRuntimesServer;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.Specialization;
import dev.hearth.runner.testing.TarGz;

/**
 * The {@code openruntimes} adapter against a clean-room Open Runtimes v5 server (test resource
 * {@code openruntimes/server.js}, written from the protocol's description), run by the runner from its
 * {@code runtimeEntrypoint} as an image's start script would: the protocol's control headers go out, the caller's
 * {@code host} reaches the function, logs come from the server's files (which are deleted), and the control headers
 * never come back.
 */
class OpenRuntimesAdapterIT {

    private static final String FUNCTION = """
            module.exports = async (context) => {
              context.log('log line', context.req.method);
              context.error('error line');
              if (context.req.path === '/sleep') { await new Promise((r) => setTimeout(r, 30000)); }
              if (context.req.path === '/cookies') {
                return context.res.send('c', 201, { 'set-cookie': ['a=1', 'b=2'], 'x-open-runtimes-extra': 'no' });
              }
              if (context.req.path === '/binary') { return context.res.binary([0, 10, 255]); }
              return context.res.json({
                host: context.req.headers.host,
                authorization: context.req.headers.authorization,
                controls: Object.keys(context.req.headers).filter((h) => h.startsWith('x-open-runtimes-')),
                body: context.req.bodyText,
                url: context.req.url,
                secretSet: (process.env.OPEN_RUNTIMES_SECRET || '').length > 0,
              });
            };
            """;

    @TempDir
    Path workDir;
    @TempDir
    Path serverDir;
    @TempDir
    Path logsDir;
    RunnerHarness harness;

    @BeforeEach
    void start() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        harness = RunnerHarness.start(new RunnerConfig("127.0.0.1", 0, RunnerHarness.SECRET, workDir, 16, null, null,
                serverDir, new OpenRuntimesServer(port, logsDir)));
        String server = Path.of("src/test/resources/openruntimes/server.js").toAbsolutePath().toString();
        Map<String, String> env = Map.of("OPEN_RUNTIMES_SECRET", "runtime-secret", "OPEN_RUNTIMES_ENTRYPOINT",
                "index.js", "HEARTH_TEST_OPR_PORT", Integer.toString(port), "HEARTH_TEST_OPR_LOGS", logsDir.toString());
        harness.specialize(new Specialization("openruntimes", "mkdir -p src/function"
                        + " && tar -xzf /tmp/code.tar.gz -C src/function && exec node '" + server + "'", "index.js",
                        env, 20_000),
                TarGz.builder().file("index.js", FUNCTION).build());
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private static ExecutionRequest request(String method, String path, Map<String, List<String>> headers,
                                            long timeoutMs, boolean logging) {
        return new ExecutionRequest(method, path, headers, timeoutMs, logging);
    }

    @Test
    void proxiesWithTheControlHeadersAndReadsTheLogFiles() throws IOException {
        RunnerHarness.Result result = harness.execute(request("POST", "/v1/users?x=1",
                Map.of("host", List.of("cloud.example.io"), "x-open-runtimes-log-id", List.of("../../escape"),
                        "content-type", List.of("text/plain")), 15_000, true), "payload");

        assertThat(result.head().status()).isEqualTo(200);
        JsonNode seen = JsonMapper.builder().build().readTree(result.body());
        assertThat(seen.get("host").asString()).isEqualTo("cloud.example.io");
        assertThat(seen.get("url").asString()).isEqualTo("http://cloud.example.io/v1/users?x=1");
        assertThat(seen.get("authorization").asString()).isEqualTo("Basic "
                + java.util.Base64.getEncoder().encodeToString("opr:runtime-secret".getBytes()));
        assertThat(seen.get("controls")).as("control headers are stripped before the function").isEmpty();
        assertThat(seen.get("body").asString()).isEqualTo("payload");
        assertThat(seen.get("secretSet").asBoolean()).isTrue();
        assertThat(result.head().headers()).doesNotContainKey("x-open-runtimes-log-id")
                .containsEntry("content-type", List.of("application/json; charset=utf-8"));
        assertThat(result.end().logs()).isEqualTo("log line POST\n");
        assertThat(result.end().errors()).isEqualTo("error line\n");
        try (var left = Files.list(logsDir)) {
            assertThat(left).as("the log files are deleted once read").isEmpty();
        }
    }

    @Test
    void loggingDisabledLeavesNoLogs() throws IOException {
        RunnerHarness.Result result = harness.execute(request("GET", "/", Map.of(), 15_000, false), "");

        assertThat(result.head().status()).isEqualTo(200);
        assertThat(result.end().logs()).isEmpty();
        assertThat(result.end().errors()).isEmpty();
        try (var left = Files.list(logsDir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void theRuntimesOwnTimeoutAnswerPassesThrough() {
        RunnerHarness.Result result = harness.execute(request("GET", "/sleep", Map.of(), 1_000, true), "");

        assertThat(result.head().status()).isEqualTo(500);
        assertThat(result.body()).isEmpty();
        assertThat(result.end().errors()).isEqualTo("error line\nExecution timed out.");
        assertThat(result.end().timedOut()).as("answered by the runtime, within the runner's margin").isFalse();
    }

    @Test
    void repeatedHeadersAndBinaryBodiesPassAndControlHeadersDoNot() {
        RunnerHarness.Result cookies = harness.execute(request("GET", "/cookies", Map.of(), 15_000, true), "");
        assertThat(cookies.head().status()).isEqualTo(201);
        assertThat(cookies.head().headers()).containsEntry("set-cookie", List.of("a=1", "b=2"))
                .doesNotContainKeys("x-open-runtimes-extra", "x-open-runtimes-log-id");

        RunnerHarness.Result binary = harness.execute(request("GET", "/binary", Map.of(), 15_000, true), "");
        assertThat(binary.body()).containsExactly(0, 10, 255);
    }

    @Test
    void theServersOwnOutputGoesToTheLiveLogOnly() {
        await("the server's start line").atMost(Duration.ofSeconds(5)).until(() -> harness.runner.liveLog().snapshot()
                .stream().anyMatch(line -> line.line().equals("HTTP server successfully started!")));

        RunnerHarness.Result result = harness.execute(request("GET", "/", Map.of(), 15_000, true), "");

        assertThat(result.end().logs()).doesNotContain("HTTP server successfully started!");
    }

    /** A {@code .tar} source is kept as {@code /tmp/code.tar}, where Appwrite's start command copies it from. */
    @Test
    void aTarSourceIsKeptAsCodeTar(@TempDir Path otherWork, @TempDir Path otherServer) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String server = Path.of("src/test/resources/openruntimes/server.js").toAbsolutePath().toString();
        Map<String, String> env = Map.of("OPEN_RUNTIMES_SECRET", "runtime-secret", "OPEN_RUNTIMES_ENTRYPOINT",
                "index.js", "HEARTH_TEST_OPR_PORT", Integer.toString(port), "HEARTH_TEST_OPR_LOGS", logsDir.toString());
        try (RunnerHarness tar = RunnerHarness.start(new RunnerConfig("127.0.0.1", 0, RunnerHarness.SECRET, otherWork,
                16, null, null, otherServer, new OpenRuntimesServer(port, logsDir)))) {
            tar.specialize(new Specialization("openruntimes", "test ! -e /tmp/code.tar.gz && mkdir -p src/function"
                            + " && tar -xzf /tmp/code.tar -C src/function && exec node '" + server + "'", "index.js",
                            env, 20_000, 1.0, 512, true, "no", "v5", "code.tar"),
                    TarGz.builder().file("index.js", FUNCTION).build());

            assertThat(tar.execute(request("GET", "/", Map.of(), 15_000, true), "").head().status()).isEqualTo(200);
        }
    }
}
