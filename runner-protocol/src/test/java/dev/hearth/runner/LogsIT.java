package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.protocol.LogLine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;

class LogsIT {

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

    @Test
    void returnsRetainedLinesAndEnds() {
        harness.specializeExec("echo to-the-log >&2");
        harness.execute(RunnerHarness.request(10_000), "");

        List<LogLine> lines = harness.client.logs(harness.target, false).collectList().block(RunnerHarness.BLOCK);

        assertThat(lines).extracting(LogLine::line).contains("to-the-log");
        assertThat(lines).filteredOn(line -> line.line().equals("to-the-log"))
                .singleElement()
                .satisfies(line -> {
                    assertThat(line.stream()).isEqualTo("stderr");
                    assertThat(line.timestamp()).endsWith("Z");
                });
    }

    @Test
    void followStreamsNewLinesUntilDisconnect() throws Exception {
        harness.specializeExec("echo \"line-$QUERY_STRING\" >&2");
        Sinks.Many<LogLine> received = Sinks.many().replay().all();
        Disposable follow = harness.client.logs(harness.target, true)
                .subscribe(received::tryEmitNext, received::tryEmitError);
        try {
            awaitFollowers(1);
            harness.execute(new dev.hearth.runner.protocol.ExecutionRequest("GET", "/?1", java.util.Map.of(), 10_000), "");
            harness.execute(new dev.hearth.runner.protocol.ExecutionRequest("GET", "/?2", java.util.Map.of(), 10_000), "");

            List<String> lines = received.asFlux()
                    .map(LogLine::line)
                    .filter(line -> line.startsWith("line-"))
                    .take(2)
                    .collectList()
                    .block(Duration.ofSeconds(10));
            assertThat(lines).containsExactly("line-1", "line-2");
        } finally {
            follow.dispose();
        }
        awaitFollowers(0);
    }

    private void awaitFollowers(int expected) {
        LiveLog liveLog = harness.runner.liveLog();
        await().alias(expected + " log followers")
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> assertThat(liveLog.followers()).as("followers").isEqualTo(expected));
    }
}
