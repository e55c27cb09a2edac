package dev.hearth.gateway.execution;

import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.protocol.ExecutionEnd;
import dev.hearth.runner.protocol.ExecutionHead;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Reads the runner's event stream as one {@link RunnerOutput}, over ONE subscription: the head arrives first
 * (status and headers), then the body streams as it arrives (wrapped, not copied), then the end frame.
 */
final class ExecutionOutputs {

    private ExecutionOutputs() {
    }

    /**
     * The runner's output, emitted once its head arrives. Errors when the stream fails before the head, or ends
     * without one; the output's {@code end} fails when the stream ends without its end frame (a writer waiting for
     * it would otherwise wait forever).
     */
    static Mono<RunnerOutput> read(Flux<ExecutionEvent> events, DataBufferFactory buffers) {
        return events
                // The output is handed on when the head arrives; the rest of the stream is read later, by whoever
                // consumes the body, so completing here must not cancel the source.
                .switchOnFirst((first, all) -> {
                    if (!first.isOnNext()) {
                        return all.then(Mono.error(new IllegalStateException("the runner sent no response head")));
                    }
                    if (!(first.get() instanceof ExecutionEvent.Head head)) {
                        return all.then(Mono.error(new IllegalStateException("the runner sent no head first")));
                    }
                    return Mono.just(new RunnerOutput(head.head(), all.skip(1), buffers));
                }, false)
                // Events dropped here, out of reach of the runner client's own discard hook (body chunks after a
                // stream that did not start with its head), still hold a runner buffer.
                .doOnDiscard(ExecutionEvent.Body.class, chunk -> chunk.chunk().release())
                .singleOrEmpty();
    }

    /**
     * One execution's output as the runner sent it. Its body is subscribed at most once; {@link #release()} cancels
     * it if nobody did (the response failed before writing it), so the runner's stream is never left open.
     */
    static final class RunnerOutput {

        private final ExecutionHead head;
        private final Flux<DataBuffer> body;
        private final Sinks.One<ExecutionEnd> end = Sinks.one();
        private final AtomicBoolean taken = new AtomicBoolean();

        private RunnerOutput(ExecutionHead head, Flux<ExecutionEvent> rest, DataBufferFactory buffers) {
            this.head = head;
            this.body = rest.<DataBuffer>handle((event, sink) -> {
                        if (event instanceof ExecutionEvent.Body chunk) {
                            sink.next(wrap(buffers, chunk.chunk()));
                        } else if (event instanceof ExecutionEvent.End last) {
                            end.tryEmitValue(last.end());
                        }
                    })
                    .doOnComplete(() -> end.tryEmitError(new IllegalStateException(
                            "the runner ended the execution without its end frame")))
                    .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
        }

        ExecutionHead head() {
            return head;
        }

        /** The function's body; completes after the end frame. */
        Flux<DataBuffer> body() {
            return Flux.defer(() -> {
                taken.set(true);
                return body;
            });
        }

        /** The end frame; arrives after the body. */
        Mono<ExecutionEnd> end() {
            return end.asMono();
        }

        /** Cancels the runner's stream if the body was never subscribed. Idempotent. */
        void release() {
            if (taken.compareAndSet(false, true)) {
                body.subscribe(DataBufferUtils::release, error -> { }).dispose();
            }
        }
    }

    private static DataBuffer wrap(DataBufferFactory buffers, ByteBuf chunk) {
        if (buffers instanceof NettyDataBufferFactory netty) {
            return netty.wrap(chunk);
        }
        try {
            byte[] bytes = new byte[chunk.readableBytes()];
            chunk.readBytes(bytes);
            return buffers.wrap(bytes);
        } finally {
            chunk.release();
        }
    }
}
