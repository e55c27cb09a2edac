package dev.hearth.gateway.execution.response;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class MultipartExecutionWriterTest {

    private static final ExecutionTail TAIL = new ExecutionTail("log line\n", "err line\n", 0.00001, 1_700_000_000.123);

    private static ExecutionHeaders headers() {
        Map<String, List<String>> raw = new LinkedHashMap<>();
        raw.put("Content-Type", List.of("application/octet-stream"));
        raw.put("x-open-runtimes-log-id", List.of("id"));
        return ExecutionHeaders.shape(raw, "0.11.0");
    }

    @Test
    void writesPartsInUpstreamOrderWithBoundaryInHeader() {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        MockServerHttpResponse response = new MockServerHttpResponse();
        ExecutionOutput output = new ExecutionOutput(201, Map.of(),
                Flux.just(binary).map(DefaultDataBufferFactory.sharedInstance::wrap), Mono.just(TAIL));

        MultipartExecutionWriter.write(new ServerHttpResponseSink(response), output, headers()).block();

        String contentType = response.getHeaders().getFirst("Content-Type");
        assertThat(response.getStatusCode()).as("status").isEqualTo(HttpStatus.OK);
        assertThat(contentType).as("content type").matches("multipart/form-data; boundary=-{29}[0-9a-f]{32}");
        String boundary = contentType.substring(contentType.indexOf('=') + 1);
        byte[] document = bytes(response.getBody());
        String text = new String(document, StandardCharsets.ISO_8859_1);
        assertThat(text).as("document start")
                .startsWith("--" + boundary + "\r\nContent-Disposition: form-data; name=\"statusCode\"\r\n\r\n201\r\n"
                        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"headers\"\r\n"
                        + "Content-Type: application/json\r\n\r\n{\"content-type\":\"application/octet-stream\"}\r\n");
        assertThat(text).as("document end").endsWith("--" + boundary + "--\r\n");

        Map<String, byte[]> parts = parse(contentType, document);
        assertThat(parts.keySet()).as("part order")
                .containsExactly("statusCode", "headers", "body", "logs", "errors", "duration", "startTime");
        assertThat(parts.get("body")).as("binary body intact").containsExactly(binary);
        assertThat(string(parts.get("logs"))).as("logs").isEqualTo("log line\n");
        assertThat(string(parts.get("errors"))).as("errors").isEqualTo("err line\n");
        assertThat(string(parts.get("duration"))).as("duration plain").isEqualTo("0.00001");
        assertThat(string(parts.get("startTime"))).as("startTime plain").isEqualTo("1700000000.123");
    }

    @Test
    void emptyBodyStillHasABodyPart() {
        MockServerHttpResponse response = new MockServerHttpResponse();
        ExecutionOutput output = new ExecutionOutput(204, Map.of(), Flux.empty(), Mono.just(TAIL));

        MultipartExecutionWriter.write(new ServerHttpResponseSink(response), output, headers()).block();

        Map<String, byte[]> parts = parse(response.getHeaders().getFirst("Content-Type"), bytes(response.getBody()));
        assertThat(parts.get("body")).as("body").isEmpty();
        assertThat(string(parts.get("statusCode"))).as("status part").isEqualTo("204");
    }

    @Test
    void largeBodyStreamsThroughWithoutAggregation() {
        int chunk = 64 * 1024;
        int chunks = 4096; // 256 MiB
        AtomicInteger live = new AtomicInteger();
        AtomicInteger maxLive = new AtomicInteger();
        Flux<DataBuffer> body = Flux.range(0, chunks).map(i -> {
            maxLive.accumulateAndGet(live.incrementAndGet(), Math::max);
            DataBuffer buffer = DefaultDataBufferFactory.sharedInstance.allocateBuffer(chunk);
            buffer.writePosition(chunk);
            return buffer;
        });
        CountingResponse response = new CountingResponse(live);

        MultipartExecutionWriter.write(new ServerHttpResponseSink(response), new ExecutionOutput(200, Map.of(), body, Mono.just(TAIL)), headers()).block();

        assertThat(response.bodyBytes.get()).as("bytes written, beyond the framing").isGreaterThan((long) chunk * chunks);
        assertThat(maxLive.get()).as("body buffers held at once").isLessThanOrEqualTo(4);
    }

    @Test
    void tailIsSubscribedOnlyAfterTheBody() {
        AtomicBoolean bodyDone = new AtomicBoolean();
        AtomicBoolean tailSawBodyDone = new AtomicBoolean();
        Flux<DataBuffer> body = Flux.just("a", "b")
                .<DataBuffer>map(s -> DefaultDataBufferFactory.sharedInstance.wrap(s.getBytes(StandardCharsets.UTF_8)))
                .doOnComplete(() -> bodyDone.set(true));
        Mono<ExecutionTail> tail = Mono.fromCallable(() -> {
            tailSawBodyDone.set(bodyDone.get());
            return TAIL;
        });

        MultipartExecutionWriter.write(new ServerHttpResponseSink(new MockServerHttpResponse()), new ExecutionOutput(200, Map.of(), body, tail), headers())
                .block();

        assertThat(tailSawBodyDone).as("body complete when tail subscribed").isTrue();
    }

    @Test
    void tailIsNotSubscribedWhenBodyFails() {
        AtomicBoolean tailSubscribed = new AtomicBoolean();
        Mono<ExecutionTail> tail = Mono.fromCallable(() -> {
            tailSubscribed.set(true);
            return TAIL;
        });
        ExecutionOutput output = new ExecutionOutput(200, Map.of(), Flux.error(new IllegalStateException("runner died")), tail);

        StepVerifier.create(MultipartExecutionWriter.write(new ServerHttpResponseSink(new MockServerHttpResponse()), output, headers()))
                .expectErrorMessage("runner died")
                .verify();
        assertThat(tailSubscribed).as("tail subscribed").isFalse();
    }

    @Test
    void cancelReleasesBodyBuffersNotYetWritten() {
        TrackedBuffers buffers = new TrackedBuffers();
        List<DataBuffer> chunks = List.of(buffers.of("one"), buffers.of("two"), buffers.of("three"));
        ExecutionOutput output = new ExecutionOutput(200, Map.of(), Flux.fromIterable(chunks), Mono.just(TAIL));

        StepVerifier.create(MultipartExecutionWriter.document(DefaultDataBufferFactory.sharedInstance, "B", output, headers()), 2)
                .consumeNextWith(DataBufferUtils::release)
                .consumeNextWith(DataBufferUtils::release)
                .thenCancel()
                .verify();

        assertThat(buffers.unreleased()).as("unreleased buffers").isZero();
    }

    /** A strict reader of the document: ISO-8859-1 maps bytes to chars one to one, so nothing is lost. */
    private static Map<String, byte[]> parse(String contentType, byte[] document) {
        String boundary = contentType.substring(contentType.indexOf("boundary=") + "boundary=".length());
        String text = new String(document, StandardCharsets.ISO_8859_1);
        assertThat(text).as("opening delimiter").startsWith("--" + boundary + "\r\n");
        assertThat(text).as("closing delimiter").endsWith("\r\n--" + boundary + "--\r\n");
        String inner = text.substring(("--" + boundary + "\r\n").length(), text.length() - ("\r\n--" + boundary + "--\r\n").length());
        Map<String, byte[]> parts = new LinkedHashMap<>();
        for (String part : inner.split(java.util.regex.Pattern.quote("\r\n--" + boundary + "\r\n"), -1)) {
            int headersEnd = part.indexOf("\r\n\r\n");
            java.util.regex.Matcher name = java.util.regex.Pattern.compile("name=\"([^\"]+)\"").matcher(part.substring(0, headersEnd));
            assertThat(name.find()).as("part has a name").isTrue();
            parts.put(name.group(1), part.substring(headersEnd + 4).getBytes(StandardCharsets.ISO_8859_1));
        }
        return parts;
    }

    private static byte[] bytes(Flux<DataBuffer> body) {
        return DataBufferUtils.join(body).map(MultipartExecutionWriterTest::drain).block();
    }

    private static byte[] drain(DataBuffer buffer) {
        byte[] bytes = new byte[buffer.readableByteCount()];
        buffer.read(bytes);
        DataBufferUtils.release(buffer);
        return bytes;
    }

    private static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A sink that counts and releases what it is given, as a socket would, and keeps nothing. */
    private static final class CountingResponse extends ServerHttpResponseDecorator {
        private final AtomicLong bodyBytes = new AtomicLong();
        private final AtomicInteger live;

        CountingResponse(AtomicInteger live) {
            super(new MockServerHttpResponse());
            this.live = live;
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            return Flux.from(body)
                    .doOnNext(buffer -> {
                        bodyBytes.addAndGet(buffer.readableByteCount());
                        if (buffer.capacity() == 64 * 1024) {
                            live.decrementAndGet();
                        }
                        DataBufferUtils.release(buffer);
                    })
                    .then();
        }
    }
}
