package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.hearth.runner.protocol.ExecutionRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** The {@code exec} adapter over real HTTP with real processes. */
class ExecExecutionIT {

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

    private static ExecutionRequest request(long timeoutMs) {
        return new ExecutionRequest("POST", "/", Map.of(), timeoutMs);
    }

    @Test
    void echoesBodyThroughCat() {
        harness.specializeExec("cat");

        RunnerHarness.Result result = harness.execute(request(10_000), "hello runner");

        assertThat(result.head().status()).isEqualTo(200);
        assertThat(result.head().headers()).containsEntry("content-type", List.of("text/plain; charset=utf-8"));
        assertThat(result.bodyText()).isEqualTo("hello runner");
        assertThat(result.end().exitCode()).isZero();
        assertThat(result.end().timedOut()).isFalse();
        assertThat(result.end().durationMs()).isPositive();
    }

    @Test
    void exposesCgiVariables() {
        harness.specializeExec("printf '%s %s %s %s %s' \"$REQUEST_METHOD\" \"$PATH_INFO\" \"$QUERY_STRING\""
                + " \"$HTTP_X_TRACE\" \"$GATEWAY_INTERFACE\"");

        RunnerHarness.Result result = harness.execute(new ExecutionRequest("PUT", "/items/7?full=1",
                Map.of("x-trace", List.of("abc")), 10_000), "");

        assertThat(result.bodyText()).isEqualTo("PUT /items/7 full=1 abc CGI/1.1");
    }

    @Test
    void nonZeroExitWithoutOutputIsServerErrorWithStderr() {
        harness.specializeExec("echo broken >&2; exit 1");

        RunnerHarness.Result result = harness.execute(request(10_000), "");

        assertThat(result.head().status()).isEqualTo(500);
        assertThat(result.end().exitCode()).isEqualTo(1);
        assertThat(result.end().errors()).isEqualTo("broken\n");
        assertThat(harness.runner.liveLog().snapshot()).anySatisfy(line -> {
            assertThat(line.stream()).isEqualTo("stderr");
            assertThat(line.line()).isEqualTo("broken");
        });
    }

    @Test
    void nonZeroExitAfterOutputKeepsStatusAndReportsExitCode() {
        harness.specializeExec("printf partial; exit 3");

        RunnerHarness.Result result = harness.execute(request(10_000), "");

        assertThat(result.head().status()).as("status is final once output started").isEqualTo(200);
        assertThat(result.end().exitCode()).isEqualTo(3);
    }

    @Test
    void headIsFlushedWithFirstOutputWhileProcessRuns() {
        harness.specializeExec("printf first; sleep 1.5; printf second");
        long start = System.nanoTime();
        AtomicLong headAfterNanos = new AtomicLong(-1);

        FrameParser parser = harness.executeRaw(request(10_000), Flux.empty(), true)
                .doOnNext(p -> {
                    if (p.head != null) {
                        headAfterNanos.compareAndSet(-1, System.nanoTime() - start);
                    }
                })
                .blockLast(RunnerHarness.BLOCK);

        assertThat(Duration.ofNanos(headAfterNanos.get())).as("HEAD arrives before the process exits")
                .isLessThan(Duration.ofMillis(1200));
        assertThat(new String(parser.body(), StandardCharsets.UTF_8)).isEqualTo("firstsecond");
    }

    @Test
    void timeoutKillsTheWholeProcessTree() throws Exception {
        harness.specializeExec("sleep 300 & echo $! > grandchild.pid; echo $$ > shell.pid; sleep 300");

        RunnerHarness.Result result = harness.execute(request(700), "");

        assertThat(result.head().status()).isEqualTo(500);
        assertThat(result.end().timedOut()).isTrue();
        assertThat(result.end().errors()).endsWith("Execution timed out.");
        assertThat(result.end().exitCode()).isEqualTo(-1);
        RunnerHarness.assertGone(harness.readPid("grandchild.pid"));
        RunnerHarness.assertGone(harness.readPid("shell.pid"));
        RunnerHarness.awaitZeroLiveProcesses(harness.runner);
    }

    @Test
    void cancelMidStreamKillsTheProcessTree() throws Exception {
        harness.specializeExec("sleep 300 & echo $! > grandchild.pid; while true; do echo tick; sleep 0.05; done");

        harness.executeRaw(request(60_000), Flux.empty(), false)
                .filter(parser -> parser.bodyBytes > 20)
                .next()
                .block(RunnerHarness.BLOCK);

        RunnerHarness.assertGone(harness.readPid("grandchild.pid"));
        RunnerHarness.awaitZeroLiveProcesses(harness.runner);
    }

    @Test
    void largeOutputStreamsIncrementally() {
        long size = 200L * 1024 * 1024;
        harness.specializeExec("head -c " + size + " /dev/zero");

        FrameParser parser = harness.executeRaw(request(60_000), Flux.empty(), false)
                .blockLast(Duration.ofSeconds(60));

        assertThat(parser.bodyBytes).isEqualTo(size);
        assertThat(parser.end.exitCode()).isZero();
    }

    @Test
    void largeRequestBodyStreamsIntoStdin() {
        harness.specializeExec("wc -c");
        Flux<ByteBuf> chunks = Flux.range(0, 256).map(i -> Unpooled.wrappedBuffer(new byte[64 * 1024]));

        RunnerHarness.Result result = harness.execute(request(30_000), chunks);

        assertThat(result.bodyText().trim()).isEqualTo(Long.toString(256L * 64 * 1024));
    }
}
