package dev.hearth.runner.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RestartBackoffTest {

    private static final Duration BRIEF = Duration.ofMillis(30);

    @Test
    void startsAtOneHundredMillisecondsAndDoublesWhileTheServerExitsAtOnce() {
        RestartBackoff backoff = new RestartBackoff();

        assertThat(backoff.next(BRIEF)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.next(BRIEF)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.next(BRIEF)).isEqualTo(Duration.ofMillis(400));
        assertThat(backoff.next(BRIEF)).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void isCappedAtItsMaximum() {
        RestartBackoff backoff = new RestartBackoff();
        Duration last = Duration.ZERO;
        for (int i = 0; i < 20; i++) {
            last = backoff.next(BRIEF);
        }

        assertThat(last).isEqualTo(RestartBackoff.MAX);
    }

    @Test
    void resetsAfterTheServerStayedUpLongEnough() {
        RestartBackoff backoff = new RestartBackoff();
        backoff.next(BRIEF);
        backoff.next(BRIEF);
        backoff.next(BRIEF);

        assertThat(backoff.next(RestartBackoff.STABLE)).as("after a stable run").isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.next(RestartBackoff.STABLE.minusMillis(1))).as("after a short one").isEqualTo(
                Duration.ofMillis(200));
    }
}
