package dev.hearth.runner.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import dev.hearth.runner.function.ExecutionCall;
import dev.hearth.runner.function.Frames;
import dev.hearth.runner.protocol.ProtocolJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

/**
 * One execution on an Open Runtimes v2 server, as the upstream executor sends it: always {@code POST /}, with
 * {@code content-type: application/json}, {@code x-internal-challenge: <INTERNAL_RUNTIME_KEY>} and {@code host: null},
 * and the body {@code {"variables":{…},"payload":"<body>","headers":{}}}. The caller's method, path and headers do not
 * reach the function (upstream sends {@code headers} empty). The payload travels as a JSON string, so a body that is
 * not UTF-8 text (or over {@link #MAX_PAYLOAD_BYTES}) never reaches the function: HEAD 400 and the reason in
 * {@code errors}. The answer
 * ({@link OpenRuntimesV2Answer}) becomes the status as the server sent it, no headers, the body, logs and errors.
 *
 * <p>A v2 server has no timeout of its own, so the runner cancels the call at the timeout itself (upstream's client
 * timeout is the same), with HEAD 500 and "Execution timed out.".
 */
final class OpenRuntimesV2Execution extends ProxiedExecution {

    /** The largest request body sent as {@code payload} (upstream accepts 20 Mi characters). */
    static final int MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;
    /** The largest answer read; it is parsed whole. */
    static final int MAX_ANSWER_BYTES = 64 * 1024 * 1024;

    private final HttpClient client;
    private final String key;
    private final Map<String, String> runtimeVariables;
    private volatile OpenRuntimesV2Answer answer = new OpenRuntimesV2Answer("", "", "");

    /**
     * @param key              the runtime's {@code INTERNAL_RUNTIME_KEY}
     * @param runtimeVariables the variables sent when the execution brings none
     */
    OpenRuntimesV2Execution(ExecutionCall call, HttpClient client, FunctionServer server, String key,
                            Map<String, String> runtimeVariables) {
        super(call, server, OpenRuntimesExecution.SERVER_NAME);
        this.client = client;
        this.key = key;
        this.runtimeVariables = runtimeVariables;
    }

    @Override
    Duration limit() {
        return Duration.ofMillis(call.request().timeoutMs());
    }

    @Override
    Mono<Output> output() {
        return Mono.fromSupplier(() -> new Output(answer.logs(), answer.errors()));
    }

    @Override
    Flux<ByteBuf> proxy() {
        return collect(call.body(), MAX_PAYLOAD_BYTES, () -> new Refused("The request body is over "
                + MAX_PAYLOAD_BYTES + " bytes, more than runtime protocol v2 carries here."))
                .publishOn(Schedulers.parallel())
                .map(this::envelope)
                .flatMapMany(envelope -> client
                        .headers(headers -> requestHeaders(headers, envelope.length))
                        .post()
                        .uri("/")
                        .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(envelope)))
                        .response(this::answerFrames))
                .onErrorResume(Refused.class, refused -> {
                    failed(refused.getMessage());
                    return Mono.just(head(400, Map.of()));
                });
    }

    private void requestHeaders(HttpHeaders headers, int length) {
        headers.set("content-type", "application/json");
        headers.set("content-length", length);
        headers.set("x-internal-challenge", key);
        // Upstream's curl sends this literal value; v2 servers build no URL from it.
        headers.set("host", "null");
    }

    /** The JSON envelope, in upstream's field order. Its payload must be text: it is a JSON string. */
    private byte[] envelope(byte[] body) {
        String payload;
        try {
            payload = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new Refused("The request body is not UTF-8 text, which runtime protocol v2 needs: it carries the"
                    + " body as a JSON string.");
        }
        Map<String, Object> envelope = new LinkedHashMap<>();
        Map<String, String> variables = call.request().variables();
        envelope.put("variables", variables == null ? runtimeVariables : variables);
        envelope.put("payload", payload);
        envelope.put("headers", Map.of());
        return ProtocolJson.toBytes(envelope);
    }

    private Flux<ByteBuf> answerFrames(HttpClientResponse response, ByteBufFlux content) {
        int status = response.status().code();
        return collect(content, MAX_ANSWER_BYTES, () -> new IllegalStateException("the answer is over "
                + MAX_ANSWER_BYTES + " bytes"))
                .publishOn(Schedulers.parallel())
                .flatMapMany(bytes -> {
                    answer = OpenRuntimesV2Answer.parse(bytes);
                    ByteBuf head = head(status, Map.of());
                    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                    return body.length == 0 ? Flux.just(head)
                            : Flux.just(head, Frames.body(call.alloc(), Unpooled.wrappedBuffer(body)));
                });
    }

    /** Copies buffers (released by their sender after each onNext) into one array, failing past {@code max}. */
    private static Mono<byte[]> collect(Flux<ByteBuf> chunks, int max, Supplier<RuntimeException> tooLarge) {
        return chunks.collect(ByteArrayOutputStream::new, (out, chunk) -> {
            if (out.size() + chunk.readableBytes() > max) {
                throw tooLarge.get();
            }
            out.writeBytes(ByteBufUtil.getBytes(chunk));
        }).map(ByteArrayOutputStream::toByteArray);
    }

    /** A request body runtime protocol v2 cannot carry: the function is not called. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }
}
