package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.hearth.runner.client.RunnerCallException;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.Specialization;
import dev.hearth.runner.testing.TarGz;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code http} adapter with a real python3 HTTP server as the function. */
class HttpAdapterIT {

    private static final String SERVER = """
            import os, sys, time
            from http.server import BaseHTTPRequestHandler, HTTPServer

            class Handler(BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get("content-length", "0")))
                    if self.path.startswith("/slow"):
                        time.sleep(5)
                    if self.path.startswith("/die"):
                        os._exit(7)
                    print("handled " + self.path, flush=True)
                    print("warned " + self.headers.get("x-trace", ""), file=sys.stderr, flush=True)
                    reply = b"echo:" + body
                    self.send_response(201)
                    self.send_header("content-type", "text/x-echo")
                    self.send_header("x-custom", "yes")
                    self.send_header("content-length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                def log_message(self, *args):
                    pass

            HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
            """;

    @TempDir
    Path workDir;
    RunnerHarness harness;

    @BeforeEach
    void start() {
        harness = RunnerHarness.start(workDir);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private void specializeServer() {
        harness.specialize(new Specialization("http", "exec python3 -u server.py", "server.py", Map.of(), 10_000),
                TarGz.builder().file("server.py", SERVER).build());
    }

    private static ExecutionRequest request(String path, long timeoutMs) {
        return new ExecutionRequest("POST", path, Map.of("x-trace", List.of("t-1")), timeoutMs);
    }

    @Test
    void proxiesRequestAndAttributesLogs() {
        specializeServer();

        RunnerHarness.Result result = harness.execute(request("/hello?x=1", 10_000), "ping");

        assertThat(result.head().status()).isEqualTo(201);
        assertThat(result.head().headers())
                .containsEntry("content-type", List.of("text/x-echo"))
                .containsEntry("x-custom", List.of("yes"))
                .doesNotContainKeys("connection", "transfer-encoding", "keep-alive");
        assertThat(result.bodyText()).isEqualTo("echo:ping");
        assertThat(result.end().logs()).isEqualTo("handled /hello?x=1\n");
        assertThat(result.end().errors()).isEqualTo("warned t-1\n");
        assertThat(result.end().exitCode()).isEqualTo(-1);
        assertThat(harness.runner.liveLog().snapshot()).anySatisfy(line -> {
            assertThat(line.stream()).isEqualTo("stdout");
            assertThat(line.line()).isEqualTo("handled /hello?x=1");
        });
    }

    @Test
    void timeoutCancelsProxiedRequestButKeepsServer() {
        specializeServer();

        RunnerHarness.Result slow = harness.execute(request("/slow", 500), "");
        RunnerHarness.Result next = harness.execute(request("/fast", 10_000), "again");

        assertThat(slow.head().status()).isEqualTo(500);
        assertThat(slow.end().timedOut()).isTrue();
        assertThat(slow.end().errors()).endsWith("Execution timed out.");
        assertThat(next.bodyText()).isEqualTo("echo:again");
    }

    @Test
    void serverDeathGivesBadGatewayAndHealthStillAnswers() {
        specializeServer();

        RunnerHarness.Result died = harness.execute(request("/die", 10_000), "");

        assertThat(died.head().status()).isEqualTo(502);
        assertThat(died.end().errors()).contains("request");
        assertThat(harness.client.health("127.0.0.1", harness.target.port()).block(RunnerHarness.BLOCK).specialized())
                .isTrue();
    }

    @Test
    void startFailureIsBadGatewayWithLastOutput() throws Exception {
        Specialization failing = new Specialization("http", "echo cannot start; exit 3", "", Map.of(), 5_000);

        assertThatThrownBy(() -> harness.specialize(failing, new byte[0]))
                .isInstanceOfSatisfying(RunnerCallException.class, e -> {
                    assertThat(e.status()).isEqualTo(502);
                    assertThat(e.code()).isEqualTo("start_failed");
                    assertThat(e.detail()).contains("cannot start");
                });
        assertThat(harness.runner.specialized()).isFalse();
        RunnerHarness.awaitZeroLiveProcesses(harness.runner);
    }

    @Test
    void startTimeoutKillsTheServerTree() throws Exception {
        Specialization neverListens = new Specialization("http", "sleep 300 & echo $! > child.pid; sleep 300", "",
                Map.of(), 700);

        assertThatThrownBy(() -> harness.specialize(neverListens, new byte[0]))
                .isInstanceOfSatisfying(RunnerCallException.class, e -> assertThat(e.code()).isEqualTo("start_failed"));
        RunnerHarness.awaitZeroLiveProcesses(harness.runner);
    }
}
