package dev.hearth.gateway.execution.response;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import dev.hearth.runner.protocol.EventLoopJson;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an execution result as the executor's JSON document (§1.6):
 * {@code {"statusCode","headers","body","logs","errors","duration","startTime"}} with exactly
 * {@code content-type: application/json}.
 *
 * <p>JSON cannot stream a body it must first validate, so the body is aggregated, up to
 * {@link #MAX_BODY_BYTES}; a larger one fails with 400 execution_bad_request pointing to multipart.
 * A body that is not valid UTF-8 fails with 400 execution_bad_json, as upstream's
 * {@code json_encode} does. Both failures happen before anything is written, so the error
 * translator can still answer; the aggregated buffers are released on every path. Stateless and
 * thread-safe.
 */
public final class JsonExecutionWriter {

    /** Upstream's own limit on execution bodies (Text(20971520)); beyond it, use multipart. */
    public static final int MAX_BODY_BYTES = 20 * 1024 * 1024;
    static final String CONTENT_TYPE = "application/json";
    static final String BODY_TOO_LARGE = "Response body exceeds 20 MiB; request multipart/form-data to stream it";

    private static final JsonMapper JSON = EventLoopJson.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private JsonExecutionWriter() {
    }

    /** Lazy: nothing is read or written until subscription. */
    public static Mono<Void> write(ResponseSink response, ExecutionOutput output, ExecutionHeaders headers) {
        return aggregateBody(output)
                .flatMap(body -> output.tail().map(tail -> document(output.statusCode(), headers, body, tail)))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("execution ended without its tail")))
                .flatMap(document -> send(response, document));
    }

    /** The body as text; empty when the function sent none. */
    private static Mono<String> aggregateBody(ExecutionOutput output) {
        return DataBufferUtils.join(output.body(), MAX_BODY_BYTES)
                .onErrorMap(DataBufferLimitException.class,
                        e -> new ExecutorException(ErrorType.EXECUTION_BAD_REQUEST, BODY_TOO_LARGE, e))
                .map(JsonExecutionWriter::decodeUtf8)
                .defaultIfEmpty("");
    }

    /** Strict UTF-8: any malformed byte means a binary body, which JSON cannot carry. Releases. */
    static String decodeUtf8(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ExecutorException(ErrorType.EXECUTION_BAD_JSON);
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    /**
     * Written with the streaming generator, field by field, rather than as a map through the object mapper: it runs
     * once per execution and a map of maps costs a serializer lookup per value (bench/profile.sh).
     */
    static byte[] document(int statusCode, ExecutionHeaders headers, String body, ExecutionTail tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length() + tail.logs().length()
                + tail.errors().length() + 256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberProperty("statusCode", statusCode);
            json.writeName("headers");
            json.writeStartObject();
            headers.values().forEach((name, values) -> {
                json.writeName(name);
                if (values.size() == 1) {
                    json.writeString(values.get(0));
                } else {
                    json.writeStartArray();
                    values.forEach(json::writeString);
                    json.writeEndArray();
                }
            });
            json.writeEndObject();
            json.writeStringProperty("body", body);
            json.writeStringProperty("logs", tail.logs());
            json.writeStringProperty("errors", tail.errors());
            json.writeName("duration");
            json.writeNumber(PlainDecimal.format(tail.durationSeconds()));
            json.writeName("startTime");
            json.writeNumber(PlainDecimal.format(tail.startTimeSeconds()));
            json.writeEndObject();
        }
        return out.toByteArray();
    }

    private static Mono<Void> send(ResponseSink response, byte[] document) {
        response.header(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE);
        response.header(HttpHeaders.CONTENT_LENGTH, Integer.toString(document.length));
        return response.send(HttpStatus.OK.value(), Mono.fromCallable(() -> response.buffers().wrap(document)));
    }
}
