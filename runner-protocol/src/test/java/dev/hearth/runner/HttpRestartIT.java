package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.Specialization;
import dev.hearth.runner.testing.TarGz;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code http} adapter's server started again after it exits, as the runtime's {@code restartPolicy} says, with
 * a real node server that exits on request ({@code /exit?code=N}; {@code &loop=1} makes every later start exit at
 * once, a crash loop).
 */
class HttpRestartIT {

    private static final String SERVER = """
            const http = require('http');
            const fs = require('fs');
            console.log('server starting');
            if (fs.existsSync('crashing')) { process.exit(1); }
            http.createServer((req, res) => {
              const url = new URL(req.url, 'http://function');
              if (url.pathname === '/exit') {
                if (url.searchParams.get('loop')) { fs.writeFileSync('crashing', ''); }
                process.exit(Number(url.searchParams.get('code')));
              }
              res.end('answered by ' + process.pid);
            }).listen(Number(process.env.PORT), '127.0.0.1');
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

    private void specialize(String restartPolicy) {
        harness.specialize(new Specialization("http", "exec node server.js", "server.js", Map.of(), 10_000, null, null,
                null, restartPolicy), TarGz.builder().file("server.js", SERVER).build());
    }

    private static ExecutionRequest request(String path, long timeoutMs) {
        return new ExecutionRequest("GET", path, Map.of(), timeoutMs);
    }

    private long lines(String text) {
        return harness.runner.liveLog().snapshot().stream().filter(line -> line.line().contains(text)).count();
    }

    /**
     * An execution that reaches the server while its process is exiting fails as one in flight would (its request
     * was sent): the tests send the next one once the runner has seen the exit.
     */
    private void awaitExitNoticed() {
        await("the runner's notice of the exit").atMost(Duration.ofSeconds(5))
                .until(() -> lines("function server exited with code") >= 1);
    }

    @ParameterizedTest
    @CsvSource({"always, 3", "unless-stopped, 0", "on-failure, 3"})
    void theServerIsStartedAgainAndTheNextExecutionSucceeds(String policy, int exitCode) {
        specialize(policy);

        RunnerHarness.Result exiting = harness.execute(request("/exit?code=" + exitCode, 10_000), "");
        awaitExitNoticed();
        RunnerHarness.Result next = harness.execute(request("/", 10_000), "");

        assertThat(exiting.head().status()).as("the execution in flight when it exits").isEqualTo(502);
        assertThat(exiting.end().errors()).as("its reason").contains("request");
        assertThat(next.head().status()).as("the next execution, once restarted").isEqualTo(200);
        assertThat(next.bodyText()).startsWith("answered by");
        await("both starts' own lines in the live log").atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(lines("server starting")).as("starts").isEqualTo(2));
        assertThat(lines("function server exited with code " + exitCode + "; restarting in 100 ms (restart policy "
                + policy + ")")).as("the runner's notice").isEqualTo(1);
        await("the restart's notice").atMost(Duration.ofSeconds(5))
                .until(() -> lines("function server restarted (restart 1), accepting connections") == 1);
    }

    @Test
    void withPolicyNoTheServerStaysDownAndExecutionsAnswer502() {
        specialize("no");

        harness.execute(request("/exit?code=3", 10_000), "");
        awaitExitNoticed();
        RunnerHarness.Result next = harness.execute(request("/", 10_000), "");

        assertThat(next.head().status()).isEqualTo(502);
        assertThat(next.end().errors()).contains("function server exited with code 3");
        assertThat(lines("server starting")).as("starts").isEqualTo(1);
        assertThat(lines("restarting")).as("restart notices").isZero();
    }

    @Test
    void onFailureDoesNotRestartAServerThatExitedWithZero() {
        specialize("on-failure");

        harness.execute(request("/exit?code=0", 10_000), "");
        awaitExitNoticed();
        RunnerHarness.Result next = harness.execute(request("/", 10_000), "");

        assertThat(next.head().status()).isEqualTo(502);
        assertThat(next.end().errors()).contains("function server exited with code 0");
        assertThat(lines("function server exited with code 0; not restarted (restart policy on-failure)"))
                .isEqualTo(1);
        assertThat(lines("server starting")).as("starts").isEqualTo(1);
    }

    @Test
    void closingTheRunnerKillsTheServerWithoutRestartingIt() {
        specialize("always");
        await("the server's start").atMost(Duration.ofSeconds(5)).until(() -> lines("server starting") == 1);

        harness.close();

        RunnerHarness.awaitZeroLiveProcesses(harness.runner);
        await("no restart after close").during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
                .until(() -> lines("restarting") == 0 && lines("server starting") == 1);
    }

    @Test
    void aCrashLoopBacksOffExecutionsWaitWithinTheirTimeoutAndCloseStopsIt() {
        specialize("always");
        long crashed = System.nanoTime();

        harness.execute(request("/exit?code=1&loop=1", 10_000), "");
        awaitExitNoticed();
        RunnerHarness.Result waiting = harness.execute(request("/", 700), "");
        await("the backoff reaching 800 ms").atMost(Duration.ofSeconds(10))
                .until(() -> lines("restarting in 800 ms") == 1);

        // 100 + 200 + 400 ms were waited out before the start that led to this notice: no busy loop.
        assertThat(Duration.ofNanos(System.nanoTime() - crashed)).isGreaterThan(Duration.ofMillis(700));
        await("the four starts' own lines").atMost(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(lines("server starting")).as("starts so far").isEqualTo(4));
        assertThat(lines("function server exited with code 1; restarting in")).isEqualTo(4);
        assertThat(waiting.head().status()).as("an execution during the restarts").isEqualTo(500);
        assertThat(waiting.end().timedOut()).as("it waited for the server within its timeout").isTrue();
        assertThat(waiting.end().errors()).isEqualTo("function server exited and is restarting (restart policy always)"
                + "\nExecution timed out.");

        harness.close();

        RunnerHarness.awaitZeroLiveProcesses(harness.runner);
        await("no start after close").during(Duration.ofMillis(1_200)).atMost(Duration.ofSeconds(3))
                .until(() -> lines("server starting") == 4);
    }
}
