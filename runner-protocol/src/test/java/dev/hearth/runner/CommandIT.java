package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.runner.client.RunnerCallException;
import dev.hearth.runner.protocol.CommandRequest;
import dev.hearth.runner.protocol.CommandResult;
import dev.hearth.runner.protocol.RunnerProtocol;
import reactor.core.Disposable;

/** {@code POST /v1/command} over real HTTP with real processes. */
class CommandIT {

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

    private CommandResult run(String command, long timeoutMs) {
        return harness.client.command(harness.target, new CommandRequest(command, timeoutMs)).block(RunnerHarness.BLOCK);
    }

    @Test
    void aWarmRunnerRunsNoCommand() {
        assertThatThrownBy(() -> run("id", 10_000))
                .isInstanceOfSatisfying(RunnerCallException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.code()).isEqualTo("not_specialized");
                });
    }

    @Test
    void runsInTheFunctionsCodeDirectoryWithItsEnvironment() {
        harness.specializeExec("cat");

        CommandResult result = run("pwd; echo \"[$HEARTH_ENTRYPOINT]\"; echo oops >&2; exit 3", 10_000);

        assertThat(result.output()).isEqualTo(workDir.resolve("code") + "\n[]\noops\n");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.timedOut()).isFalse();
    }

    @Test
    void outputPastTheCapIsReadAndDropped() {
        harness.specializeExec("cat");

        CommandResult result = run("head -c 3000000 /dev/zero | tr '\\0' x", 30_000);

        assertThat(result.output()).hasSize(RunnerProtocol.MAX_COMMAND_OUTPUT_BYTES);
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void theTimeoutKillsTheWholeTree() {
        harness.specializeExec("cat");

        CommandResult result = run("(sleep 60 & echo $! > child.pid; wait)", 500);

        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(-1);
        RunnerHarness.assertGone(harness.readPid("child.pid"));
    }

    @Test
    void aCallerLeavingKillsTheCommand() {
        harness.specializeExec("cat");

        Disposable call = harness.client.command(harness.target, new CommandRequest(
                "sleep 60 & echo $! > left.pid; wait", 60_000)).subscribe(ok -> { }, error -> { });
        long pid = harness.readPid("left.pid");
        call.dispose();

        RunnerHarness.assertGone(pid);
        RunnerHarness.awaitZeroLiveProcesses(harness.runner);
    }

    @Test
    void aRequestOverTheCapIsRefusedAndRunsNothing() {
        harness.specializeExec("cat");
        String huge = "{\"command\":\"echo " + "x".repeat(RunnerProtocol.MAX_COMMAND_REQUEST_BYTES) + "\",\"timeoutMs\":1000}";

        int status = harness.raw()
                .headers(h -> h.set(RunnerProtocol.SECRET_HEADER, RunnerHarness.SECRET).set("content-type", "application/json"))
                .post().uri(RunnerProtocol.COMMAND_PATH)
                .send(reactor.netty.ByteBufFlux.fromString(reactor.core.publisher.Mono.just(huge)))
                .response().map(response -> response.status().code()).block(RunnerHarness.BLOCK);

        assertThat(status).isEqualTo(400);
        RunnerHarness.awaitZeroLiveProcesses(harness.runner);
    }
}
