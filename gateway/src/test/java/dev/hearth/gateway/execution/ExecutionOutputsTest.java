package dev.hearth.gateway.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.protocol.ExecutionEnd;
import dev.hearth.runner.protocol.ExecutionHead;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** How a runner's event stream becomes the writer's output, at its edges. */
class ExecutionOutputsTest {

    private static Mono<Void> write(Flux<ExecutionEvent> events) {
        return ExecutionOutputs.read(events, DefaultDataBufferFactory.sharedInstance)
                .flatMap(output -> output.body().doOnNext(DataBufferUtils::release).then(output.end()).then());
    }

    private static ExecutionEvent.Head head() {
        return new ExecutionEvent.Head(new ExecutionHead(200, Map.of()));
    }

    private static ExecutionEvent.Body body(String text) {
        return new ExecutionEvent.Body(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    @Test
    void aStreamWithItsEndFrameCompletes() {
        StepVerifier.create(write(Flux.just(head(), body("hi"),
                        new ExecutionEvent.End(new ExecutionEnd("", "", false, 0, 12)))))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void theHeadIsHandedOnBeforeTheBodyIsRead() {
        Sinks.Many<ExecutionEvent> runner = Sinks.many().unicast().onBackpressureBuffer();
        runner.tryEmitNext(head());
        StepVerifier.create(ExecutionOutputs.read(runner.asFlux(), DefaultDataBufferFactory.sharedInstance))
                .assertNext(output -> assertThat(output.head().status()).as("status").isEqualTo(200))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void anOutputWhoseBodyIsNeverReadCancelsTheRunnersStreamOnRelease() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Flux<ExecutionEvent> events = Flux.<ExecutionEvent>just(head(), body("never read"))
                .concatWith(Flux.never())
                .doOnCancel(() -> cancelled.set(true));
        ExecutionOutputs.RunnerOutput output = ExecutionOutputs.read(events, DefaultDataBufferFactory.sharedInstance)
                .block(Duration.ofSeconds(5));
        assertThat(cancelled).as("handing the head on does not cancel the stream").isFalse();
        output.release();
        assertThat(cancelled).as("released unread: the runner's stream is cancelled").isTrue();
    }

    @Test
    void aStreamWithoutAHeadFails() {
        StepVerifier.create(ExecutionOutputs.read(Flux.empty(), DefaultDataBufferFactory.sharedInstance))
                .expectErrorMessage("the runner sent no response head")
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aStreamEndingWithoutItsEndFrameFailsInsteadOfHanging() {
        StepVerifier.create(write(Flux.just(head(), body("partial"))))
                .expectErrorMessage("the runner ended the execution without its end frame")
                .verify(Duration.ofSeconds(5));
    }
}
