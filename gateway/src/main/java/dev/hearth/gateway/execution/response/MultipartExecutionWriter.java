package dev.hearth.gateway.execution.response;

import dev.hearth.runner.protocol.EventLoopJson;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an execution result as the executor's {@code multipart/form-data} document (§1.6): parts
 * statusCode, headers (JSON, with its own {@code Content-Type}), body, logs, errors, duration,
 * startTime, then the closing delimiter.
 *
 * <p>The body part is streamed: its buffers go to the connection as they arrive, under the
 * connection's backpressure, so memory stays bounded whatever the body's size. The tail parts are
 * produced only after the body completes, from {@link ExecutionOutput#tail()}. Once the status
 * line is sent, a failure can only end the connection: the document is then visibly truncated
 * (no closing delimiter), which multipart parsers report. Stateless and thread-safe.
 */
public final class MultipartExecutionWriter {

    /** Upstream's prefix; upstream appends {@code uniqid()}, Hearth random hex. */
    static final String BOUNDARY_PREFIX = "-----------------------------";

    private static final JsonMapper JSON = EventLoopJson.builder().build();

    private MultipartExecutionWriter() {
    }

    /** Lazy: the response is shaped and written on subscription. */
    public static Mono<Void> write(ResponseSink response, ExecutionOutput output, ExecutionHeaders headers) {
        return Mono.defer(() -> {
            String boundary = newBoundary();
            response.header(HttpHeaders.CONTENT_TYPE, "multipart/form-data; boundary=" + boundary);
            return response.send(HttpStatus.OK.value(), document(response.buffers(), boundary, output, headers));
        });
    }

    /** The whole document as buffers; the body's own buffers pass through untouched. */
    static Flux<DataBuffer> document(DataBufferFactory factory, String boundary, ExecutionOutput output,
                              ExecutionHeaders headers) {
        Mono<DataBuffer> head = Mono.fromCallable(() -> factory.wrap(head(boundary, output.statusCode(), headers)));
        Mono<DataBuffer> tail = output.tail()
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("execution ended without its tail")))
                .map(executionTail -> factory.wrap(tail(boundary, executionTail)));
        return Flux.concat(head, output.body(), tail)
                .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
    }

    static String newBoundary() {
        return BOUNDARY_PREFIX + UUID.randomUUID().toString().replace("-", "");
    }

    /** statusCode and headers parts, and the opening of the body part. */
    private static byte[] head(String boundary, int statusCode, ExecutionHeaders headers) {
        StringBuilder text = new StringBuilder();
        part(text, boundary, "statusCode", null, Integer.toString(statusCode));
        part(text, boundary, "headers", "application/json", JSON.writeValueAsString(headers.toJson()));
        partHeader(text, boundary, "body", null);
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The end of the body part, the remaining parts and the closing delimiter. */
    private static byte[] tail(String boundary, ExecutionTail tail) {
        StringBuilder text = new StringBuilder("\r\n");
        part(text, boundary, "logs", null, tail.logs());
        part(text, boundary, "errors", null, tail.errors());
        part(text, boundary, "duration", null, PlainDecimal.format(tail.durationSeconds()));
        part(text, boundary, "startTime", null, PlainDecimal.format(tail.startTimeSeconds()));
        text.append("--").append(boundary).append("--\r\n");
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void part(StringBuilder text, String boundary, String name, String contentType, String value) {
        partHeader(text, boundary, name, contentType);
        text.append(value).append("\r\n");
    }

    private static void partHeader(StringBuilder text, String boundary, String name, String contentType) {
        text.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n");
        if (contentType != null) {
            text.append("Content-Type: ").append(contentType).append("\r\n");
        }
        text.append("\r\n");
    }
}
