package dev.hearth.runner.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.hearth.runner.protocol.LogLine;
import dev.hearth.runner.protocol.RunnerProtocol;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class LiveLogTest {

    @Test
    void retainsOnlyTheMostRecentBytes() {
        LiveLog log = new LiveLog(1000);
        for (int i = 0; i < 100; i++) {
            log.append(LiveLog.STDOUT, "line " + i);
        }

        assertThat(log.snapshot())
                .as("oldest lines dropped")
                .hasSizeLessThan(100)
                .last()
                .extracting(LogLine::line)
                .isEqualTo("line 99");
    }

    @Test
    void cutsLongLines() {
        LiveLog log = new LiveLog();
        log.append(LiveLog.STDERR, "y".repeat(RunnerProtocol.MAX_LOG_LINE_CHARS + 10));

        assertThat(log.snapshot().get(0).line()).hasSize(RunnerProtocol.MAX_LOG_LINE_CHARS);
    }

    @Test
    void followReplaysRetainedLinesThenNewOnesAndUnregistersOnCancel() {
        LiveLog log = new LiveLog();
        log.append(LiveLog.STDOUT, "before");

        StepVerifier.create(log.lines(true).map(LogLine::line))
                .expectNext("before")
                .then(() -> log.append(LiveLog.STDERR, "after"))
                .expectNext("after")
                .then(() -> assertThat(log.followers()).as("registered while following").isEqualTo(1))
                .thenCancel()
                .verify(Duration.ofSeconds(5));

        assertThat(log.followers()).as("cancel unregisters the follower").isZero();
    }

    @Test
    void withoutFollowEndsAfterRetainedLines() {
        LiveLog log = new LiveLog();
        log.append(LiveLog.RUNNER, "one");

        StepVerifier.create(log.lines(false).map(LogLine::line))
                .expectNext("one")
                .verifyComplete();
    }
}
