package dev.hearth.runner.client;

import java.nio.charset.StandardCharsets;

import dev.hearth.runner.protocol.ProtocolJson;
import dev.hearth.runner.protocol.RunnerError;
import io.netty.buffer.ByteBufAllocator;
import reactor.core.publisher.Flux;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClientResponse;

/** How {@link RunnerClient} reads a runner's answers: line-delimited records, and refusals as typed exceptions. */
final class RunnerResponses {

    private RunnerResponses() {
    }

    /** The non-blank lines of {@code content}, each at most {@code maxLineBytes}; every buffer released. */
    static Flux<String> lines(ByteBufFlux content, int maxLineBytes) {
        LineSplitter splitter = new LineSplitter(ByteBufAllocator.DEFAULT, maxLineBytes);
        // Split as each chunk arrives, before Reactor Netty releases it: what waits in concatMapIterable's queue is
        // lines, never a reference-counted chunk (see RunnerClient's frame batches for why).
        return content
                .map(chunk -> splitter.split(chunk.retain()))
                .concatMapIterable(lines -> lines)
                .filter(line -> !line.isBlank())
                .doFinally(signal -> splitter.release());
    }

    static <T> Flux<T> failure(HttpClientResponse response, ByteBufFlux content) {
        return content.aggregate()
                .asByteArray()
                .defaultIfEmpty(new byte[0])
                .flatMapMany(bytes -> Flux.error(callException(response.status().code(), bytes)));
    }

    static <T> T decode(HttpClientResponse response, byte[] bytes, Class<T> type) {
        int status = response.status().code();
        if (status / 100 != 2) {
            throw callException(status, bytes);
        }
        return ProtocolJson.fromBytes(bytes, type);
    }

    static RunnerCallException callException(int status, byte[] body) {
        try {
            RunnerError error = ProtocolJson.fromBytes(body, RunnerError.class);
            return new RunnerCallException(status, error.error(), error.message());
        } catch (RuntimeException notJson) {
            return new RunnerCallException(status, "internal", new String(body, StandardCharsets.UTF_8));
        }
    }
}
