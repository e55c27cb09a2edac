package dev.hearth.gateway.execution.response;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonExecutionWriterTest {

    private static final ExecutionTail TAIL = new ExecutionTail("logs", "errors", 0.00001, 1_700_000_000.123);

    private static ExecutionHeaders headers(String format) {
        Map<String, List<String>> raw = new LinkedHashMap<>();
        raw.put("Content-Type", List.of("text/plain"));
        raw.put("Set-Cookie", List.of("a=1", "b=2"));
        return ExecutionHeaders.shape(raw, format);
    }

    @Test
    void writesDocumentWithExactContentType() {
        TrackedBuffers buffers = new TrackedBuffers();
        MockServerHttpResponse response = new MockServerHttpResponse();
        ExecutionOutput output = new ExecutionOutput(202, Map.of(),
                Flux.just(buffers.of("héllo "), buffers.of("wörld")), Mono.just(TAIL));

        JsonExecutionWriter.write(new ServerHttpResponseSink(response), output, headers("0.11.0")).block();

        assertThat(response.getStatusCode()).as("status").isEqualTo(HttpStatus.OK);
        assertThat(response.getHeaders().get("Content-Type")).as("content type").containsExactly("application/json");
        String body = response.getBodyAsString().block();
        JsonNode json = JsonMapper.builder().build().readTree(body);
        assertThat(json.get("statusCode").asInt()).as("statusCode").isEqualTo(202);
        assertThat(json.get("body").asString()).as("body").isEqualTo("héllo wörld");
        assertThat(json.get("headers").get("content-type").asString()).as("single header").isEqualTo("text/plain");
        assertThat(json.get("headers").get("set-cookie").isArray()).as("repeated header is array").isTrue();
        assertThat(json.get("logs").asString()).as("logs").isEqualTo("logs");
        assertThat(json.get("errors").asString()).as("errors").isEqualTo("errors");
        assertThat(body).as("plain decimals")
                .contains("\"duration\":0.00001", "\"startTime\":1700000000.123")
                .doesNotContainIgnoringCase("e-")
                .doesNotContain("E9");
        assertThat(List.copyOf(iterableNames(json))).as("field order")
                .containsExactly("statusCode", "headers", "body", "logs", "errors", "duration", "startTime");
        assertThat(buffers.unreleased()).as("unreleased buffers").isZero();
    }

    @Test
    void oldFormatCollapsesHeaderArrays() {
        MockServerHttpResponse response = new MockServerHttpResponse();

        JsonExecutionWriter.write(new ServerHttpResponseSink(response), new ExecutionOutput(200, Map.of(), Flux.empty(), Mono.just(TAIL)),
                headers("0.10.0")).block();

        assertThat(response.getBodyAsString().block()).as("collapsed").contains("\"set-cookie\":\"b=2\"").contains("\"body\":\"\"");
    }

    @Test
    void invalidUtf8IsExecutionBadJsonAndReleased() {
        TrackedBuffers buffers = new TrackedBuffers();
        MockServerHttpResponse response = new MockServerHttpResponse();
        AtomicBoolean tailSubscribed = new AtomicBoolean();
        ExecutionOutput output = new ExecutionOutput(200, Map.of(),
                Flux.just(buffers.of(new byte[] {'o', 'k', (byte) 0xc3})),
                Mono.fromCallable(() -> {
                    tailSubscribed.set(true);
                    return TAIL;
                }));

        StepVerifier.create(JsonExecutionWriter.write(new ServerHttpResponseSink(response), output, headers(null)))
                .expectErrorSatisfies(e -> assertThat(e).as("error")
                        .isInstanceOfSatisfying(ExecutorException.class,
                                x -> assertThat(x.errorType()).as("type").isEqualTo(ErrorType.EXECUTION_BAD_JSON)))
                .verify();
        assertThat(buffers.unreleased()).as("unreleased buffers").isZero();
        assertThat(response.isCommitted()).as("committed").isFalse();
        assertThat(tailSubscribed).as("tail subscribed").isFalse();
    }

    @Test
    void bodyOverCapIsRejectedAndEveryBufferReleased() {
        TrackedBuffers buffers = new TrackedBuffers();
        byte[] mebibyte = new byte[1024 * 1024];
        List<org.springframework.core.io.buffer.DataBuffer> chunks = new ArrayList<>();
        for (int i = 0; i < 22; i++) {
            chunks.add(buffers.of(mebibyte));
        }
        MockServerHttpResponse response = new MockServerHttpResponse();

        StepVerifier.create(JsonExecutionWriter.write(new ServerHttpResponseSink(response),
                        new ExecutionOutput(200, Map.of(), Flux.fromIterable(chunks), Mono.just(TAIL)), headers(null)))
                .expectErrorSatisfies(e -> assertThat(e).as("error")
                        .isInstanceOfSatisfying(ExecutorException.class, x -> {
                            assertThat(x.errorType()).as("type").isEqualTo(ErrorType.EXECUTION_BAD_REQUEST);
                            assertThat(x.getMessage()).as("message")
                                    .isEqualTo("Response body exceeds 20 MiB; request multipart/form-data to stream it");
                        }))
                .verify();
        assertThat(buffers.unreleased()).as("unreleased buffers").isZero();
    }

    @Test
    void bodyAtTheCapIsAccepted() {
        TrackedBuffers buffers = new TrackedBuffers();
        byte[] mebibyte = new byte[1024 * 1024];
        java.util.Arrays.fill(mebibyte, (byte) 'a');
        Flux<org.springframework.core.io.buffer.DataBuffer> body = Flux.range(0, 20).map(i -> buffers.of(mebibyte));
        MockServerHttpResponse response = new MockServerHttpResponse();

        JsonExecutionWriter.write(new ServerHttpResponseSink(response), new ExecutionOutput(200, Map.of(), body, Mono.just(TAIL)), headers(null)).block();

        assertThat(response.getStatusCode()).as("status").isEqualTo(HttpStatus.OK);
        assertThat(buffers.unreleased()).as("unreleased buffers").isZero();
    }

    private static List<String> iterableNames(JsonNode json) {
        List<String> names = new ArrayList<>();
        json.propertyNames().forEach(names::add);
        return names;
    }
}
