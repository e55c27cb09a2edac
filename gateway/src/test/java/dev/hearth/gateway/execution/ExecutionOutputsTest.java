package dev.hearth.gateway.execution;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import dev.hearth.gateway.execution.response.ExecutionTail;
import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.protocol.ExecutionEnd;
import dev.hearth.runner.protocol.ExecutionHead;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** How a runner's event stream becomes the writer's output, at its edges. */
class ExecutionOutputsTest {

    private static Mono<Void> write(Flux<ExecutionEvent> events) {
        return ExecutionOutputs.write(events, DefaultDataBufferFactory.sharedInstance, head -> { },
                end -> new ExecutionTail(end.logs(), end.errors(), end.durationMs() / 1000, 0),
                output -> output.body().doOnNext(DataBufferUtils::release).then(output.tail()).then());
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
    void aStreamEndingWithoutItsEndFrameFailsInsteadOfHanging() {
        StepVerifier.create(write(Flux.just(head(), body("partial"))))
                .expectErrorMessage("the runner ended the execution without its end frame")
                .verify(Duration.ofSeconds(5));
    }
}
