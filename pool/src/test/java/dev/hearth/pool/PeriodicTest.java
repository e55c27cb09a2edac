package dev.hearth.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

class PeriodicTest {

    static final Duration EVERY = Duration.ofSeconds(1);
    final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    final AtomicInteger runs = new AtomicInteger();

    @Test
    void runsAfterTheFirstDelayThenOncePerPeriod() {
        try (Periodic loop = Periodic.start("test", Duration.ZERO, EVERY, this::count, time)) {
            time.advanceTime();
            assertThat(runs).as("runs at once").hasValue(1);

            time.advanceTimeBy(EVERY.multipliedBy(3));

            assertThat(runs).as("runs after three periods").hasValue(4);
            assertThat(loop.running()).as("running").isTrue();
        }
    }

    @Test
    void theFirstRunIsOnePeriodAwayByDefault() {
        try (Periodic loop = Periodic.start("test", EVERY, this::count, time)) {
            time.advanceTimeBy(EVERY.minusMillis(1));
            assertThat(runs).as("runs before the first period").hasValue(0);

            time.advanceTimeBy(Duration.ofMillis(1));

            assertThat(runs).as("runs after it").hasValue(1);
        }
    }

    @Test
    void survivesATaskThatThrowsOrSignalsAnError() {
        try (Periodic loop = Periodic.start("test", Duration.ZERO, EVERY, () -> {
            int run = runs.incrementAndGet();
            if (run == 1) {
                throw new IllegalStateException("thrown by the task");
            }
            if (run == 2) {
                return Mono.error(new IllegalStateException("signalled by the task"));
            }
            return run == 3 ? null : Mono.empty();
        }, time)) {
            time.advanceTimeBy(EVERY.multipliedBy(4));

            assertThat(runs).as("runs after a throw, an error and a null").hasValue(5);
            assertThat(loop.running()).as("running").isTrue();
        }
    }

    @Test
    void aRunSlowerThanThePeriodDelaysTheNextInsteadOfOverlapping() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        Duration slow = EVERY.multipliedBy(3);
        try (Periodic loop = Periodic.start("test", Duration.ZERO, EVERY, () -> Mono.defer(() -> {
            runs.incrementAndGet();
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return Mono.delay(slow, time).doFinally(signal -> inFlight.decrementAndGet());
        }), time)) {
            // Fixed delay: a run starts at 0, 4, 8, 12 s (3 s of work, then 1 s of rest).
            time.advanceTimeBy(Duration.ofSeconds(12));

            assertThat(runs).as("runs in 12 s").hasValue(4);
            assertThat(mostInFlight).as("runs at once").hasValue(1);
            assertThat(loop.running()).as("running").isTrue();
        }
    }

    @Test
    void closeStopsTheLoop() {
        Periodic loop = Periodic.start("test", Duration.ZERO, EVERY, this::count, time);
        time.advanceTime();

        loop.close();
        time.advanceTimeBy(EVERY.multipliedBy(5));

        assertThat(runs).as("runs").hasValue(1);
        assertThat(loop.running()).as("running").isFalse();
    }

    @Test
    void rejectsANonPositivePeriodNamingIt() {
        assertThatThrownBy(() -> Periodic.start("sweep", Duration.ZERO, this::count, time))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sweep").hasMessageContaining("PT0S");
    }

    private Mono<Void> count() {
        runs.incrementAndGet();
        return Mono.empty();
    }
}
