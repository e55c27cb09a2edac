package dev.hearth.gateway.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.hearth.gateway.api.error.NoAnswerException;
import dev.hearth.runner.client.ExecutionEvent;
import io.netty.channel.DefaultEventLoop;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** An execution's timers run on the event loop serving it, and off a loop on Reactor's parallel scheduler. */
class LoopTimersTest {

    private final DefaultEventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void onALoopATimerFiresOnThatLoop() throws Exception {
        CompletableFuture<Boolean> firedOnLoop = new CompletableFuture<>();

        loop.execute(() -> LoopTimers.schedule(() -> firedOnLoop.complete(loop.inEventLoop()), 1_000_000));

        assertThat(firedOnLoop.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aCancelledTimerNeverFires() throws Exception {
        AtomicBoolean fired = new AtomicBoolean();
        CompletableFuture<Boolean> firedBeforeALaterTimer = new CompletableFuture<>();

        loop.execute(() -> {
            Disposable timer = LoopTimers.schedule(() -> fired.set(true), Duration.ofMillis(20).toNanos());
            timer.dispose();
            // The loop runs its timers in deadline order: had the first not been cancelled, it would have run by now.
            LoopTimers.schedule(() -> firedBeforeALaterTimer.complete(fired.get()), Duration.ofMillis(100).toNanos());
        });

        assertThat(firedBeforeALaterTimer.get(5, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void offALoopItIsTheParallelScheduler() {
        assertThat(LoopTimers.here()).isSameAs(Schedulers.parallel());
    }

    @Test
    void aSilentRunnersHeadGuardExpiresOnTheLoopServingIt() throws Exception {
        CompletableFuture<Boolean> expiredOnLoop = new CompletableFuture<>();
        CompletableFuture<Throwable> error = new CompletableFuture<>();

        loop.execute(() -> HeadGuard.firstWithin(Flux.<ExecutionEvent>never(), Duration.ofMillis(50),
                        () -> new NoAnswerException(0))
                .subscribe(event -> { }, failure -> {
                    expiredOnLoop.complete(loop.inEventLoop());
                    error.complete(failure);
                }));

        assertThat(error.get(5, TimeUnit.SECONDS)).isInstanceOf(NoAnswerException.class);
        assertThat(expiredOnLoop.get()).isTrue();
    }
}
