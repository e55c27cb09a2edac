package dev.hearth.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.gateway.api.error.NoAnswerException;
import dev.hearth.runner.protocol.ExecutionEnd;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.netty.channel.AbortedException;

class ExecutionMetersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ExecutionMeters meters = new ExecutionMeters(registry, List.of("img"));

    private long count(String outcome) {
        return registry.get(HearthMetrics.EXECUTION).tags("image", "img", "outcome", outcome).timer().count();
    }

    private Timer overhead() {
        return registry.get(HearthMetrics.EXECUTION_OVERHEAD).tag("image", "img").timer();
    }

    private static ExecutionEnd end(boolean timedOut, double durationMs) {
        return new ExecutionEnd("", "", timedOut, 0, durationMs);
    }

    @Test
    void everyOutcomeIsRegisteredAtZeroForConfiguredImages() {
        for (ExecutionMeters.Outcome outcome : ExecutionMeters.Outcome.values()) {
            assertThat(count(ByImage.tag(outcome))).as(outcome + " registered at zero").isZero();
        }
        assertThat(overhead().count()).as("overhead registered at zero").isZero();
    }

    @Test
    void theEndFrameDecidesBetweenSuccessFunctionErrorAndTimeout() {
        long now = System.nanoTime();
        ExecutionMeters.Execution ok = meters.start("img", now, 0, now);
        ok.head(404);
        ok.end(end(false, 1));
        ExecutionMeters.Execution broken = meters.start("img", now, 0, now);
        broken.head(500);
        broken.end(end(false, 1));
        ExecutionMeters.Execution slow = meters.start("img", now, 0, now);
        slow.head(500);
        slow.end(end(true, 1));

        assertThat(count("success")).as("a 404 is the function's answer: success").isEqualTo(1);
        assertThat(count("function_error")).as("5xx").isEqualTo(1);
        assertThat(count("timeout")).as("timed out at the runner").isEqualTo(1);
        assertThat(overhead().count()).as("overhead of each ended execution").isEqualTo(3);
    }

    @Test
    void anExecutionEndsOnceWhateverComesAfter() {
        long now = System.nanoTime();
        ExecutionMeters.Execution done = meters.start("img", now, 0, now);
        done.head(200);
        done.end(end(false, 1));
        done.clientGone();
        done.failed(new IllegalStateException("late"));
        ExecutionMeters.Execution broken = meters.start("img", now, 0, now);
        broken.failed(new IllegalStateException("connection refused"));
        broken.clientGone();

        assertThat(count("success")).as("success").isEqualTo(1);
        assertThat(count("failed")).as("failed").isEqualTo(1);
        assertThat(count("client_gone")).as("nothing counted twice").isZero();
        assertThat(overhead().count()).as("no overhead without an end frame").isEqualTo(1);
    }

    @Test
    void errorsAreSortedIntoTimeoutClientGoneAndFailed() {
        long now = System.nanoTime();
        meters.start("img", now, 0, now).failed(new NoAnswerException(25));
        meters.start("img", now, 0, now).failed(AbortedException.beforeSend());
        meters.start("img", now, 0, now).clientGone();
        meters.start("img", now, 0, now).failed(new ExecutorException(ErrorType.GENERAL_UNKNOWN));

        assertThat(count("timeout")).as("the gateway's guard").isEqualTo(1);
        assertThat(count("client_gone")).as("aborted and cancelled").isEqualTo(2);
        assertThat(count("failed")).as("anything else").isEqualTo(1);
    }

    @Test
    void overheadRunsFromTheParametersReadLessThisRequestsWaitForTheRuntimeAndTheRunner() {
        long paramsRead = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(100);
        long started = paramsRead + TimeUnit.MILLISECONDS.toNanos(60);
        ExecutionMeters.Execution execution = meters.start("img", paramsRead, TimeUnit.MILLISECONDS.toNanos(50), started);
        execution.head(200);
        execution.end(end(false, 40));

        double overheadMs = overhead().max(TimeUnit.MILLISECONDS);
        assertThat(overheadMs).as("100 ms since the parameters were read - 50 waiting for the runtime - 40 runner")
                .isBetween(10.0, 50.0);
        assertThat(registry.get(HearthMetrics.EXECUTION).tags("outcome", "success").timer()
                .totalTime(TimeUnit.MILLISECONDS)).as("the execute phase runs from its start").isBetween(40.0, 80.0);
    }

    @Test
    void overheadIsNeverNegative() {
        long now = System.nanoTime();
        ExecutionMeters.Execution execution = meters.start("img", now, 0, now);
        execution.head(200);
        execution.end(end(false, 60_000));

        assertThat(overhead().count()).as("recorded").isEqualTo(1);
        assertThat(overhead().max(TimeUnit.NANOSECONDS)).as("floored at zero").isZero();
    }

    @Test
    void aStreamEndingWithoutAnEndFrameFailed() {
        long now = System.nanoTime();
        meters.start("img", now, 0, now).streamEnded();
        ExecutionMeters.Execution headOnly = meters.start("img", now, 0, now);
        headOnly.head(200);
        headOnly.streamEnded();
        ExecutionMeters.Execution complete = meters.start("img", now, 0, now);
        complete.head(200);
        complete.end(end(false, 0));
        complete.streamEnded();

        assertThat(count("failed")).as("empty, and cut after the head").isEqualTo(2);
        assertThat(count("success")).as("the end frame decided before the stream completed").isEqualTo(1);
        assertThat(overhead().count()).as("overhead only with an end frame").isEqualTo(1);
    }

    @Test
    void racingEndsCountOnce() throws Exception {
        int executions = 2_000;
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            for (int i = 0; i < executions; i++) {
                long now = System.nanoTime();
                ExecutionMeters.Execution execution = meters.start("img", now, 0, now);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> ends = List.of(
                        threads.submit(() -> awaitThen(go, () -> execution.end(end(false, 0)))),
                        threads.submit(() -> awaitThen(go, execution::clientGone)),
                        threads.submit(() -> awaitThen(go, () -> execution.failed(new IllegalStateException("cut")))));
                go.countDown();
                for (Future<?> end : ends) {
                    end.get(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(count("success") + count("client_gone") + count("failed")).as("one outcome per execution")
                .isEqualTo(executions);
        assertThat(overhead().count()).as("overhead exactly when the end frame won").isEqualTo(count("success"));
    }

    private static Object awaitThen(CountDownLatch go, Runnable end) throws InterruptedException {
        go.await();
        end.run();
        return null;
    }

    @Test
    void anImageSeenFirstDuringAnExecutionGetsItsMetersThen() {
        long now = System.nanoTime();
        meters.start("foreign", now, 0, now).clientGone();

        assertThat(registry.get(HearthMetrics.EXECUTION).tags("image", "foreign", "outcome", "client_gone").timer()
                .count()).as("registered and counted").isEqualTo(1);
    }
}
