package dev.hearth.runner;

import java.util.OptionalLong;

import dev.hearth.runner.function.ExecutionCall;
import dev.hearth.runner.function.FunctionAdapter;
import dev.hearth.runner.protocol.ExecutionJson;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.ProtocolJson;
import dev.hearth.runner.protocol.RunnerProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code POST /v1/execute}: takes a concurrency slot ({@code 503 busy} when none), hands the call to the
 * adapter and streams its frames. The slot is released when the response ends, fails or the caller goes away
 * (structural: {@code doFinally} of the one flux that is written).
 *
 * <p>Flushing: reactor-netty flushes whenever the frame flux has nothing more ready, so the HEAD frame (emitted
 * with the first body bytes, or alone) reaches the gateway while the function is still running.
 */
final class ExecuteHandler {

    private final RunnerState state;

    ExecuteHandler(RunnerState state) {
        this.state = state;
    }

    Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        long start = System.nanoTime();
        ExecutionRequest executionRequest = parse(request.requestHeaders().get(RunnerProtocol.REQUEST_HEADER));
        FunctionAdapter adapter = state.adapter();
        if (adapter == null) {
            throw new RunnerException(409, "not_specialized", "this runner has no function loaded");
        }
        if (!state.tryAcquire()) {
            throw new RunnerException(503, "busy", "runner is at its limit of concurrent executions");
        }
        ExecutionCall call = new ExecutionCall(executionRequest, request.receive(), bodyLength(request),
                response.alloc(), start);
        Flux<ByteBuf> frames;
        try {
            frames = adapter.execute(call);
        } catch (RuntimeException e) {
            state.release();
            throw e;
        }
        return response.header("content-type", RunnerProtocol.FRAMES_CONTENT_TYPE)
                // No discard hook of ours: send releases what is dropped before it is written (FunctionAdapter).
                .send(frames.doFinally(signal -> state.release()));
    }

    private static ExecutionRequest parse(String header) {
        try {
            return ProtocolJson.fromHeader(header, ExecutionRequest.class, ExecutionJson::readRequest);
        } catch (RuntimeException e) {
            throw RunnerException.badRequest("invalid " + RunnerProtocol.REQUEST_HEADER + ": " + e.getMessage());
        }
    }

    private static OptionalLong bodyLength(HttpServerRequest request) {
        String length = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
        if (length == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(length.trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
