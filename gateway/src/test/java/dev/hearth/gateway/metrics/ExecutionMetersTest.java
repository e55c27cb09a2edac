package dev.hearth.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.pool.runtime.CreationTimings;
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
        ExecutionMeters.Execution ok = meters.start("img", CreationTimings.NONE, now, now);
        ok.head(404);
        ok.end(end(false, 1));
        ExecutionMeters.Execution broken = meters.start("img", CreationTimings.NONE, now, now);
        broken.head(500);
        broken.end(end(false, 1));
        ExecutionMeters.Execution slow = meters.start("img", CreationTimings.NONE, now, now);
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
        ExecutionMeters.Execution done = meters.start("img", CreationTimings.NONE, now, now);
        done.head(200);
        done.end(end(false, 1));
        done.clientGone();
        done.failed(new IllegalStateException("late"));
        ExecutionMeters.Execution broken = meters.start("img", CreationTimings.NONE, now, now);
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
        meters.start("img", CreationTimings.NONE, now, now).failed(new ExecutorException(ErrorType.EXECUTION_TIMEOUT));
        meters.start("img", CreationTimings.NONE, now, now).failed(AbortedException.beforeSend());
        meters.start("img", CreationTimings.NONE, now, now).clientGone();
        meters.start("img", CreationTimings.NONE, now, now).failed(new ExecutorException(ErrorType.GENERAL_UNKNOWN));

        assertThat(count("timeout")).as("the gateway's guard").isEqualTo(1);
        assertThat(count("client_gone")).as("aborted and cancelled").isEqualTo(2);
        assertThat(count("failed")).as("anything else").isEqualTo(1);
    }

    @Test
    void overheadIsTotalLessCreationLessTheRunnersOwnDuration() {
        long received = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(100);
        ExecutionMeters.Execution execution = meters.start("img", new CreationTimings(30, 20), received, received);
        execution.head(200);
        execution.end(end(false, 40));

        double overheadMs = overhead().max(TimeUnit.MILLISECONDS);
        assertThat(overheadMs).as("100 ms total - 30 acquire - 20 specialize - 40 runner").isBetween(10.0, 60.0);
        assertThat(registry.get(HearthMetrics.EXECUTION).tags("outcome", "success").timer()
                .totalTime(TimeUnit.MILLISECONDS)).as("the execute phase runs from its start").isGreaterThanOrEqualTo(100.0);
    }

    @Test
    void anImageSeenFirstDuringAnExecutionGetsItsMetersThen() {
        long now = System.nanoTime();
        meters.start("foreign", CreationTimings.NONE, now, now).clientGone();

        assertThat(registry.get(HearthMetrics.EXECUTION).tags("image", "foreign", "outcome", "client_gone").timer()
                .count()).as("registered and counted").isEqualTo(1);
    }
}
