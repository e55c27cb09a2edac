package dev.hearth.gateway.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorError;
import dev.hearth.gateway.api.error.NoAnswerException;
import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.protocol.ExecutionHead;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

/**
 * The gateway's guard on a runner that sends no response head: upstream's curl gives up on a silent runtime with its
 * generic 500 (curl error 28), so the guard answers {@code 500 general_unknown}, not {@code execution_timeout}.
 */
class HeadGuardTest {

    private static final ExecutionEvent HEAD = new ExecutionEvent.Head(new ExecutionHead(200, Map.of()));

    @Test
    void aRunnerSilentPastTheBudgetAndTheMarginIs500GeneralUnknown() {
        StepVerifier.withVirtualTime(() -> ExecutionHandler.guarded(Flux.never(), Duration.ofSeconds(15)))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(24))
                .thenAwait(Duration.ofSeconds(1))
                .expectErrorSatisfies(error -> {
                    ExecutorError shown = ExecutorError.from(error);
                    assertThat(shown.code()).as("status").isEqualTo(500);
                    assertThat(shown.type()).as("type").isEqualTo(ErrorType.GENERAL_UNKNOWN);
                    assertThat(shown.message()).as("message").contains("did not answer").contains("25 s");
                    assertThat(shown.unexpected()).as("a known failure, not a bug to log with its trace").isFalse();
                })
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void onceTheHeadIsInTheBodyMayTakeAsLongAsTheRunnerAllows() {
        // Built inside the supplier, so that the delay runs on the virtual clock.
        StepVerifier.withVirtualTime(() -> ExecutionHandler.guarded(
                        Flux.concat(Mono.just(HEAD), Mono.delay(Duration.ofSeconds(60)).then(Mono.<ExecutionEvent>empty())),
                        Duration.ofSeconds(15)))
                .expectNext(HEAD)
                .thenAwait(Duration.ofSeconds(60))
                .verifyComplete();
    }

    /**
     * An element the runner's connection delivers just after the client's cancel must reach the discard hooks, which
     * release the runner's buffer: Reactor's {@code timeout} dropped such an element without discarding it (a leaked
     * chunk about once in thirty clients leaving mid-stream).
     */
    @Test
    void anElementArrivingAfterTheCancelIsDiscardedNotDropped() {
        TestPublisher<ExecutionEvent> runner = TestPublisher.createNoncompliant(TestPublisher.Violation.CLEANUP_ON_TERMINATE);
        List<Object> discarded = new CopyOnWriteArrayList<>();
        ExecutionEvent late = new ExecutionEvent.Head(new ExecutionHead(200, Map.of()));
        StepVerifier.create(ExecutionHandler.guarded(runner.flux(), Duration.ofSeconds(15))
                        .doOnDiscard(Object.class, discarded::add))
                .then(() -> runner.next(HEAD))
                .expectNext(HEAD)
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        runner.next(late);
        assertThat(discarded).containsExactly(late);
    }

    @Test
    void anElementArrivingAfterTheLimitIsDiscardedAndTheErrorStands() {
        TestPublisher<ExecutionEvent> runner = TestPublisher.createNoncompliant(TestPublisher.Violation.CLEANUP_ON_TERMINATE);
        List<Object> discarded = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> ExecutionHandler.guarded(runner.flux(), Duration.ofSeconds(1))
                        .doOnDiscard(Object.class, discarded::add))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(11))
                .expectError(NoAnswerException.class)
                .verify(Duration.ofSeconds(5));
        runner.next(HEAD);
        runner.complete();
        assertThat(discarded).containsExactly(HEAD);
    }

    /**
     * A head that arrives while the guard is still subscribing (a source that answers at once) must stop the timer the
     * guard schedules just after, or the timer waits out the whole limit holding the stream.
     */
    @Test
    void aHeadArrivingWhileSubscribingLeavesNoTimerBehind() {
        PendingTimers timers = new PendingTimers();
        Schedulers.setFactory(new Schedulers.Factory() {
            @Override
            public Scheduler newParallel(int parallelism, ThreadFactory threadFactory) {
                return timers;
            }
        });
        try {
            StepVerifier.create(ExecutionHandler.guarded(Flux.just(HEAD), Duration.ofSeconds(1)))
                    .expectNext(HEAD)
                    .verifyComplete();
            assertThat(timers.pending).as("timers still pending after the stream ended").isEmpty();
        } finally {
            Schedulers.resetFactory();
        }
    }

    /** A parallel scheduler that only records which delayed tasks are still pending (scheduled, not disposed). */
    private static final class PendingTimers implements Scheduler {
        final Set<Runnable> pending = ConcurrentHashMap.newKeySet();

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            pending.add(task);
            return () -> pending.remove(task);
        }

        @Override
        public Disposable schedule(Runnable task) {
            throw new UnsupportedOperationException("the guard only schedules its timer");
        }

        @Override
        public Worker createWorker() {
            throw new UnsupportedOperationException("the guard only schedules its timer");
        }
    }
}
