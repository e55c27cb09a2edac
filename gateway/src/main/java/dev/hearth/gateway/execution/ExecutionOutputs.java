package dev.hearth.gateway.execution;

import java.util.function.Consumer;
import java.util.function.Function;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

import dev.hearth.gateway.execution.response.ExecutionOutput;
import dev.hearth.gateway.execution.response.ExecutionTail;
import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.protocol.ExecutionEnd;
import dev.hearth.runner.protocol.ExecutionHead;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Turns the runner's event stream into an {@link ExecutionOutput} and hands it to a writer, over ONE
 * subscription: the head decides status and headers, body chunks pass through as they arrive (wrapped,
 * not copied), and the tail completes after the body.
 */
final class ExecutionOutputs {

    private ExecutionOutputs() {
    }

    /**
     * @param onHead called once with the head before the writer runs, e.g. to add timing headers
     * @param tail   builds the tail from the END frame
     */
    static Mono<Void> write(Flux<ExecutionEvent> events, DataBufferFactory buffers,
                            Consumer<ExecutionHead> onHead, Function<ExecutionEnd, ExecutionTail> tail,
                            Function<ExecutionOutput, Mono<Void>> writer) {
        return events
                .switchOnFirst((first, all) -> {
                    if (!first.isOnNext()) {
                        return all.then();
                    }
                    if (!(first.get() instanceof ExecutionEvent.Head head)) {
                        return all.then(Mono.error(new IllegalStateException("runner sent no head first")));
                    }
                    onHead.accept(head.head());
                    Sinks.One<ExecutionTail> end = Sinks.one();
                    Flux<DataBuffer> body = all.skip(1)
                            .<DataBuffer>handle((event, sink) -> {
                                if (event instanceof ExecutionEvent.Body chunk) {
                                    sink.next(wrap(buffers, chunk.chunk()));
                                } else if (event instanceof ExecutionEvent.End last) {
                                    end.tryEmitValue(tail.apply(last.end()));
                                }
                            })
                            // A stream that ends without its END frame (the runner's connection closed early)
                            // fails the tail: a writer waiting for it would otherwise wait forever.
                            .doOnComplete(() -> end.tryEmitError(new IllegalStateException(
                                    "the runner ended the execution without its end frame")))
                            .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
                    return writer.apply(new ExecutionOutput(head.head().status(), head.head().headers(), body,
                            end.asMono()));
                })
                // Events dropped here, out of reach of the runner client's own discard hook (body chunks after a
                // stream that did not start with its head), still hold a runner buffer.
                .doOnDiscard(ExecutionEvent.Body.class, chunk -> chunk.chunk().release())
                .then();
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
