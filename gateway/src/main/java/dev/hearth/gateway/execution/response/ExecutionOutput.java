package dev.hearth.gateway.execution.response;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The result of one execution, as the response writers consume it.
 *
 * @param statusCode the function's HTTP status
 * @param headers    the function's response headers as received (any case, untrimmed); the
 *                   writers shape them (§1.6)
 * @param body       the function's response body, streamed; subscribed at most once, and each
 *                   buffer it emits is released exactly once by whoever consumes it. If the
 *                   consumer cancels, the producer releases what it still holds
 * @param tail       logs and timings, which complete after the body; subscribed only after
 *                   {@code body} completes, and never when the body fails or is cancelled
 */
public record ExecutionOutput(
        int statusCode,
        Map<String, List<String>> headers,
        Flux<DataBuffer> body,
        Mono<ExecutionTail> tail) {

    public ExecutionOutput {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(tail, "tail");
    }
}
