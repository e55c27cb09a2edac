package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.runner.RunnerConfig.OpenRuntimesServer;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.Specialization;
import dev.hearth.runner.testing.TarGz;

/**
 * Upstream's {@code testRestartPolicy} on the runner: a function that ends its Open Runtimes v5 server
 * ({@code process.exit}, test resource {@code openruntimes/server.js}) under {@code restartPolicy: always}, as
 * Appwrite sends it. The runner runs {@code runtimeEntrypoint} again, as Docker restarts the container upstream, and
 * the server's start line shows once per start in the runtime's log. A v2 server ({@code openruntimes/server-v2.js})
 * is restarted the same way.
 */
class OpenRuntimesRestartIT {

    private static final String FUNCTION = """
            module.exports = async (context) => {
              if (context.req.path === '/exit') { process.exit(1); }
              return context.res.text('alive ' + process.pid);
            };
            """;
    private static final String STARTED = "HTTP server successfully started!";

    @TempDir
    Path workDir;
    @TempDir
    Path serverDir;
    @TempDir
    Path logsDir;
    RunnerHarness harness;

    int port;

    @BeforeEach
    void start() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        harness = RunnerHarness.start(new RunnerConfig("127.0.0.1", 0, RunnerHarness.SECRET, workDir, 16, null, null,
                serverDir, new OpenRuntimesServer(port, logsDir)));
    }

    private void specializeV5() {
        String server = Path.of("src/test/resources/openruntimes/server.js").toAbsolutePath().toString();
        Map<String, String> env = Map.of("OPEN_RUNTIMES_SECRET", "runtime-secret", "OPEN_RUNTIMES_ENTRYPOINT",
                "index.js", "HEARTH_TEST_OPR_PORT", Integer.toString(port), "HEARTH_TEST_OPR_LOGS", logsDir.toString());
        // As an image's start script, the command extracts the code again at every start.
        harness.specialize(new Specialization("openruntimes", "mkdir -p src/function"
                        + " && tar -xzf /tmp/code.tar.gz -C src/function && exec node '" + server + "'", "index.js",
                        env, 20_000, 1.0, 512, true, "always"),
                TarGz.builder().file("index.js", FUNCTION).build());
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private long lines(String text) {
        return harness.runner.liveLog().snapshot().stream().filter(line -> line.line().equals(text)).count();
    }

    private static ExecutionRequest request(String path) {
        return new ExecutionRequest("GET", path, Map.of(), 15_000, true);
    }

    @Test
    void aServerThatExitsIsStartedAgainAndLaterExecutionsWork() {
        specializeV5();
        await("the first start").atMost(Duration.ofSeconds(5)).until(() -> lines(STARTED) == 1);

        RunnerHarness.Result exiting = harness.execute(request("/exit"), "");
        await("the runner's notice of the exit").atMost(Duration.ofSeconds(5)).until(() -> lines(
                "function server exited with code 1; restarting in 100 ms (restart policy always)") == 1);
        RunnerHarness.Result next = harness.execute(request("/"), "");

        assertThat(exiting.head().status()).as("the execution that ended the server (upstream: 500)").isEqualTo(502);
        assertThat(exiting.end().errors()).contains("request");
        assertThat(next.head().status()).isEqualTo(200);
        assertThat(next.bodyText()).startsWith("alive ");
        // The server prints its start line once listening: it may reach the log just after the execution.
        await("both start lines in the runtime's log").atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(lines(STARTED)).as("starts").isEqualTo(2));
    }

    @Test
    void aV2ServerThatExitsIsStartedAgainToo() {
        String server = Path.of("src/test/resources/openruntimes/server-v2.js").toAbsolutePath().toString();
        Map<String, String> env = Map.of("INTERNAL_RUNTIME_KEY", "runtime-key", "INTERNAL_RUNTIME_ENTRYPOINT",
                "index.js", "HEARTH_TEST_OPR_PORT", Integer.toString(port), "HEARTH_TEST_OPR_CODE_DIR", "start");
        harness.specialize(new Specialization("openruntimes", "mkdir -p /usr/code/start"
                        + " && tar -xzf /tmp/code.tar.gz -C /usr/code/start && exec node '" + server + "'", "index.js",
                        env, 20_000, 1.0, 512, true, "on-failure", "v2"),
                TarGz.builder().file("index.js", """
                        module.exports = async (req, res) => {
                          if (req.payload === 'exit') { process.exit(2); }
                          return res.send('alive');
                        };
                        """).build());

        RunnerHarness.Result exiting = harness.execute(new ExecutionRequest("POST", "/", Map.of(), 15_000, true,
                null), "exit");
        await("the runner's notice of the exit").atMost(Duration.ofSeconds(5)).until(() -> lines(
                "function server exited with code 2; restarting in 100 ms (restart policy on-failure)") == 1);
        RunnerHarness.Result next = harness.execute(new ExecutionRequest("POST", "/", Map.of(), 15_000, true, null),
                "again");

        assertThat(exiting.head().status()).isEqualTo(502);
        assertThat(next.head().status()).isEqualTo(200);
        assertThat(next.bodyText()).isEqualTo("alive");
    }
}
