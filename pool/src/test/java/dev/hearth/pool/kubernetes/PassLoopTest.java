package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

class PassLoopTest {

    static final Duration PERIOD = Duration.ofSeconds(5);
    static final Duration PASS = Duration.ofSeconds(1);
    final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    final AtomicInteger passes = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger mostInFlight = new AtomicInteger();
    PassLoop loop;

    @AfterEach
    void close() {
        if (loop != null) {
            loop.close();
        }
    }

    @Test
    void triggersDuringAPassCoalesceIntoOneMorePass() {
        loop = new PassLoop("test", PERIOD, () -> timed(PASS), time);

        loop.trigger();
        for (int i = 0; i < 100; i++) {
            loop.trigger();
        }
        time.advanceTimeBy(PASS.multipliedBy(4));

        assertThat(passes).as("passes for 101 triggers, 100 of them during the first pass").hasValue(2);
        assertThat(mostInFlight).as("passes at once").hasValue(1);
    }

    @Test
    void aTriggerAfterAPassEndedRunsAFreshPass() {
        loop = new PassLoop("test", PERIOD, () -> timed(PASS), time);

        loop.trigger();
        time.advanceTimeBy(PASS);
        loop.trigger();
        time.advanceTimeBy(PASS);

        assertThat(passes).as("passes").hasValue(2);
    }

    @Test
    void survivesAPassThatThrowsOrSignalsAnError() {
        loop = new PassLoop("test", PERIOD, failingFirst(() -> {
            throw new IllegalStateException("thrown by the pass");
        }), time);

        loop.trigger();
        loop.trigger();

        assertThat(passes).as("passes: the throwing one, then a good one").hasValue(2);

        loop.close();
        passes.set(0);
        loop = new PassLoop("test", PERIOD, failingFirst(() -> Mono.error(new IllegalStateException("signalled"))), time);

        loop.trigger();
        loop.trigger();

        assertThat(passes).as("passes: the failing one, then a good one").hasValue(2);
    }

    @Test
    void theSafetyNetRunsAPassEveryPeriodAndAPassSlowerThanThePeriodDoesNotStopIt() {
        Duration slow = PERIOD.multipliedBy(2);
        loop = new PassLoop("test", PERIOD, () -> passes.get() == 0 ? timed(slow) : timed(PASS), time);

        // t=5: the first tick starts the slow pass (10 s); the tick at t=10 comes while it runs.
        time.advanceTimeBy(Duration.ofSeconds(14));

        assertThat(passes).as("passes by 14 s: the tick during the slow pass waits").hasValue(1);

        time.advanceTimeBy(Duration.ofSeconds(2));

        assertThat(passes.get()).as("passes by 16 s: the waiting tick ran once the slow pass ended").isGreaterThanOrEqualTo(2);
        int before = passes.get();

        time.advanceTimeBy(PERIOD.multipliedBy(4));

        assertThat(passes.get() - before).as("passes in the next 20 s: the safety net goes on").isGreaterThanOrEqualTo(4);
        assertThat(mostInFlight).as("passes at once").hasValue(1);
    }

    @Test
    void closeCancelsThePassAndStopsTheLoop() {
        loop = new PassLoop("test", PERIOD, () -> timed(PASS), time);
        loop.trigger();

        loop.close();
        loop.trigger();
        time.advanceTimeBy(PERIOD.multipliedBy(3));

        assertThat(passes).as("passes started").hasValue(1);
        assertThat(inFlight).as("passes running").hasValue(0);
    }

    /** A pass taking {@code duration} of virtual time. */
    private Mono<Void> timed(Duration duration) {
        return Mono.defer(() -> {
            passes.incrementAndGet();
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return Mono.delay(duration, time).doFinally(signal -> inFlight.decrementAndGet()).then();
        });
    }

    private Supplier<Mono<?>> failingFirst(Supplier<Mono<?>> failure) {
        return () -> passes.incrementAndGet() == 1 ? failure.get() : Mono.empty();
    }
}
