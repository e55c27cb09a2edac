package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
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
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Mono;

/**
 * The {@code openruntimes} adapter speaking runtime protocol v2 to a clean-room v2 server (test resource
 * {@code openruntimes/server-v2.js}, written from the protocol's description), started by the runner from a
 * {@code runtimeEntrypoint} that names the v2 paths ({@code /tmp/code.tar.gz}, {@code /usr/code}) as a v2 container
 * has them: the envelope carries the variables and payload (never the caller's method, path or headers), the key is
 * checked, the answer becomes body, logs and errors as upstream maps it, and the runner ends a call at the timeout.
 */
class OpenRuntimesV2AdapterIT {

    private static final String FUNCTION = """
            module.exports = async (req, res) => {
              console.log('log line');
              console.error('error line');
              const p = req.payload;
              if (p === 'sleep') { await new Promise((r) => setTimeout(r, 30000)); }
              if (p === 'throw') { throw new Error('thrown on purpose'); }
              if (p === 'php') { return res.json({ url: 'a/b', list: [1, 2], nested: { empty: [] } }, 201); }
              if (p.startsWith('echo:')) { return res.send(p.substring(5)); }
              return res.json({
                variables: req.variables, headers: req.headers, payload: p, cwd: process.cwd(),
                entrypoint: process.env.INTERNAL_RUNTIME_ENTRYPOINT,
              });
            };
            """;
    private static final String SERVER = Path.of("src/test/resources/openruntimes/server-v2.js").toAbsolutePath()
            .toString();
    /** The entrypoint as a v2 container would run it: the archive at /tmp, the code under /usr/code. */
    private static final String START = "mkdir -p /usr/code/start && tar -xzf /tmp/code.tar.gz -C /usr/code/start"
            + " && exec node '" + SERVER + "'";

    @TempDir
    Path workDir;
    RunnerHarness harness;
    int port;

    @BeforeEach
    void start() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        harness = RunnerHarness.start(new RunnerConfig("127.0.0.1", 0, RunnerHarness.SECRET, workDir, 16, null, null,
                null, new OpenRuntimesServer(port, null)));
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private void specialize(String command) {
        Map<String, String> env = Map.of("INTERNAL_RUNTIME_KEY", "runtime-key", "INTERNAL_RUNTIME_ENTRYPOINT",
                "index.js", "MINE", "created", "HEARTH_TEST_OPR_PORT", Integer.toString(port),
                "HEARTH_TEST_OPR_CODE_DIR", "start");
        harness.specialize(new Specialization("openruntimes", command, "index.js", env, 20_000, 1.0, 512, true, "no",
                "v2"), TarGz.builder().file("index.js", FUNCTION).build());
    }

    private static ExecutionRequest request(long timeoutMs, Map<String, String> variables) {
        return new ExecutionRequest("GET", "/ignored?x=1", Map.of("x-caller", List.of("seen?")), timeoutMs, true,
                variables);
    }

    private static JsonNode json(RunnerHarness.Result result) {
        return JsonMapper.builder().build().readTree(result.body());
    }

    @Test
    void theEnvelopeCarriesVariablesAndPayloadButNotTheCallersRequest() {
        specialize(START);

        RunnerHarness.Result result = harness.execute(request(15_000, Map.of("GIVEN", "1")), "héllo");

        assertThat(result.head().status()).isEqualTo(200);
        assertThat(result.head().headers()).as("v2 answers carry no headers").isEmpty();
        JsonNode seen = json(result);
        assertThat(seen.get("variables").properties()).as("the execution's variables, as given")
                .extracting(Map.Entry::getKey).containsExactly("GIVEN");
        assertThat(seen.get("headers").properties()).as("upstream sends headers empty").isEmpty();
        assertThat(seen.get("payload").asString()).isEqualTo("héllo");
        assertThat(seen.get("entrypoint").asString()).isEqualTo("index.js");
        assertThat(Path.of(seen.get("cwd").asString())).as("v2's working directory, /usr/code in a container")
                .isEqualTo(workDir.resolve("code"));
        assertThat(result.end().logs()).isEqualTo("log line");
        assertThat(result.end().errors()).isEqualTo("error line");
        await("what went over the wire, as the server printed it").atMost(Duration.ofSeconds(5))
                .until(() -> requestLines().contains("request: POST / host=null type=application/json"));
    }

    @Test
    void withoutVariablesOfItsOwnAnExecutionSendsTheRuntimesWithoutTheKey() {
        specialize(START);

        JsonNode seen = json(harness.execute(request(15_000, null), "x"));

        assertThat(seen.get("variables").get("MINE").asString()).isEqualTo("created");
        assertThat(seen.get("variables").has("INTERNAL_RUNTIME_KEY")).isFalse();
    }

    @Test
    void aWrongKeyIsRejectedAndTheRejectionMapsToErrors() {
        // The server expects another key than the runtime's, the one the runner sends.
        specialize("export INTERNAL_RUNTIME_KEY=other && " + START);

        RunnerHarness.Result result = harness.execute(request(15_000, null), "x");

        assertThat(result.head().status()).isEqualTo(500);
        assertThat(result.body()).isEmpty();
        assertThat(result.end().errors()).isEqualTo("Unauthorized");
        assertThat(result.end().logs()).isEmpty();
    }

    @Test
    void objectsAndArraysComeBackAsUpstreamsPhpEncodesThem() {
        specialize(START);

        RunnerHarness.Result result = harness.execute(request(15_000, null), "php");

        assertThat(result.head().status()).isEqualTo(201);
        assertThat(result.bodyText()).isEqualTo("{\"url\":\"a\\/b\",\"list\":{\"0\":1,\"1\":2},\"nested\":{\"empty\":{}}}");
    }

    @Test
    void textPassesUnchangedWhereV2CanCarryItAndOtherBytesAreRefused() {
        specialize(START);
        RunnerHarness.Result binary = harness.execute(request(15_000, null),
                Mono.fromSupplier(() -> Unpooled.wrappedBuffer(new byte[] {'e', 'c', 'h', 'o', ':', (byte) 0xff})));
        String text = "a/b \u0000\u001f é 漢字 🙂 \"q\" \\";

        RunnerHarness.Result echoed = harness.execute(request(15_000, null), "echo:" + text);

        assertThat(binary.head().status()).isEqualTo(400);
        assertThat(binary.end().errors()).contains("not UTF-8 text");
        assertThat(echoed.head().status()).isEqualTo(200);
        assertThat(echoed.body()).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
        // The server prints a line per request, in order: once the second call's is read, the first's would be too.
        await("the text's request line").atMost(Duration.ofSeconds(5)).until(() -> !requestLines().isEmpty());
        assertThat(requestLines()).as("the function was called once, for the text").hasSize(1);
    }

    @Test
    void aBodyOverTheCapIsRefusedWithoutCallingTheFunction() {
        specialize(START);
        byte[] big = new byte[32 * 1024 * 1024 + 1];
        java.util.Arrays.fill(big, (byte) 'a');

        RunnerHarness.Result result = harness.execute(request(15_000, null),
                Mono.fromSupplier(() -> Unpooled.wrappedBuffer(big)));

        assertThat(result.head().status()).isEqualTo(400);
        assertThat(result.end().errors()).contains("over 33554432 bytes");
        assertThat(harness.execute(request(15_000, null), "echo:ok").bodyText()).as("the runtime still serves")
                .isEqualTo("ok");
        await("the second call's request line").atMost(Duration.ofSeconds(5)).until(() -> !requestLines().isEmpty());
        assertThat(requestLines()).hasSize(1);
    }

    private List<String> requestLines() {
        return harness.runner.liveLog().snapshot().stream().map(line -> line.line())
                .filter(line -> line.startsWith("request: ")).toList();
    }

    @Test
    void aThrowingFunctionAnswers500WithItsOutput() {
        specialize(START);

        RunnerHarness.Result result = harness.execute(request(15_000, null), "throw");

        assertThat(result.head().status()).isEqualTo(500);
        assertThat(result.end().logs()).isEqualTo("log line");
        assertThat(result.end().errors()).startsWith("error line\nError: thrown on purpose");
    }

    @Test
    void theRunnerEndsACallAtTheTimeoutWithoutUpstreamsV5Margin() {
        specialize(START);

        RunnerHarness.Result result = harness.execute(request(1_000, null), "sleep");

        assertThat(result.head().status()).isEqualTo(500);
        assertThat(result.end().timedOut()).isTrue();
        assertThat(result.end().errors()).isEqualTo("Execution timed out.");
        assertThat(result.end().durationMs()).as("a v2 server has no timeout of its own to wait for")
                .isBetween(1_000.0, 4_000.0);
    }

    @Test
    void theServersOwnOutputGoesToTheLiveLogOnly() {
        specialize(START);
        await("the server's start line").atMost(Duration.ofSeconds(5)).until(() -> harness.runner.liveLog().snapshot()
                .stream().anyMatch(line -> line.line().equals("v2 server listening on " + port)));

        RunnerHarness.Result result = harness.execute(request(15_000, null), "x");

        assertThat(result.end().logs()).isEqualTo("log line");
    }
}
