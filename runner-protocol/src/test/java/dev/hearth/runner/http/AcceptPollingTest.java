package dev.hearth.runner.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AcceptPollingTest {

    private static final long MS = 1_000_000;

    @Test
    void firstAttemptsFollowEachOtherWithinAMillisecond() {
        assertThat(AcceptPolling.pauseNanos(0)).as("at the start").isEqualTo(500_000);
        assertThat(AcceptPolling.pauseNanos(20 * MS)).as("20 ms in").isEqualTo(500_000);
    }

    @Test
    void pauseIsASmallShareOfTheWaitSoFar() {
        assertThat(AcceptPolling.pauseNanos(100 * MS)).as("a server that takes 100 ms is seen within 2 ms")
                .isEqualTo(2 * MS);
        assertThat(AcceptPolling.pauseNanos(1_000 * MS)).as("1 s in").isEqualTo(20 * MS);
    }

    @Test
    void pauseNeverExceedsTheCap() {
        assertThat(AcceptPolling.pauseNanos(60_000 * MS)).as("a minute in").isEqualTo(50 * MS);
    }
}
