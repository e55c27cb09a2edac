package dev.hearth.runner.function;

import java.util.OptionalLong;

import dev.hearth.runner.protocol.ExecutionRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import reactor.core.publisher.Flux;

/**
 * One execute call as an adapter sees it.
 *
 * @param request     the function's request metadata
 * @param body        the request body as received (buffers are released by the server after {@code onNext};
 *                    retain to keep one)
 * @param bodyLength  length of the body when the caller declared it
 * @param alloc       allocator of the connection, for frames
 * @param startNanos  {@link System#nanoTime()} when the runner received the call, for {@code durationMs}
 */
public record ExecutionCall(ExecutionRequest request, Flux<ByteBuf> body, OptionalLong bodyLength,
                            ByteBufAllocator alloc, long startNanos) {

    public double elapsedMs() {
        return (System.nanoTime() - startNanos) / 1_000_000.0;
    }
}
