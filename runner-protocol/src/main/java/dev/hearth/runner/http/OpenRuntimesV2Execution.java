package dev.hearth.runner.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import dev.hearth.runner.function.ExecutionCall;
import dev.hearth.runner.function.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
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
 * and the body {@code {"variables":{…},"payload":"<body>","headers":{}}} ({@link OpenRuntimesV2Envelope}). The
 * caller's method, path and headers do not reach the function (upstream sends {@code headers} empty). The payload
 * travels as a JSON string, so a body that is not UTF-8 text (or over {@link #MAX_PAYLOAD_BYTES}) never reaches the
 * function: HEAD 400 and the reason in {@code errors}. The answer ({@link OpenRuntimesV2Answer}) becomes the status
 * as the server sent it, no headers, the body, logs and errors.
 *
 * <p>A v2 server has no timeout of its own, so the runner cancels the call at the timeout itself (upstream's client
 * timeout is the same), with HEAD 500 and "Execution timed out.". Both bodies are whole before they are used (the
 * protocol is JSON); they are held in the connections' buffers, and parsing runs off the event loop.
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
                .flatMapMany(envelope -> reconnecting(client
                        .headers(headers -> requestHeaders(headers, envelope.readableBytes()))
                        .post()
                        .uri("/")
                        // The connection takes (and releases) a reference of its own only if it sends: ours is
                        // released however the call ends.
                        .send(Mono.fromSupplier(envelope::retain))
                        .response(this::answerFrames))
                        .doFinally(signal -> envelope.release()))
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

    /** The envelope of the whole body (released here); refused when the body is not UTF-8 text. */
    private ByteBuf envelope(ByteBuf body) {
        try {
            if (!ByteBufUtil.isText(body, StandardCharsets.UTF_8)) {
                throw new Refused("The request body is not UTF-8 text, which runtime protocol v2 needs: it carries"
                        + " the body as a JSON string.");
            }
            Map<String, String> variables = call.request().variables();
            return OpenRuntimesV2Envelope.write(call.alloc(), variables == null ? runtimeVariables : variables, body);
        } finally {
            body.release();
        }
    }

    private Flux<ByteBuf> answerFrames(HttpClientResponse response, ByteBufFlux content) {
        int status = response.status().code();
        return collect(content, MAX_ANSWER_BYTES, () -> new IllegalStateException("the answer is over "
                + MAX_ANSWER_BYTES + " bytes"))
                .publishOn(Schedulers.parallel())
                .flatMapMany(whole -> {
                    try {
                        answer = OpenRuntimesV2Answer.parse(whole);
                    } finally {
                        whole.release();
                    }
                    ByteBuf head = head(status, Map.of());
                    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                    return body.length == 0 ? Flux.just(head)
                            : Flux.just(head, Frames.body(call.alloc(), Unpooled.wrappedBuffer(body)));
                });
    }

    /**
     * Every chunk retained into one buffer, which the subscriber owns; released here when the chunks fail, pass
     * {@code max} or are cancelled. Chunks are released by their sender after onNext; each becomes a number before
     * {@code then} drops it, since a dropped buffer would be released once more by the execution's discard hook.
     */
    private Mono<CompositeByteBuf> collect(Flux<ByteBuf> chunks, int max, Supplier<RuntimeException> tooLarge) {
        return Mono.using(() -> call.alloc().compositeBuffer(Integer.MAX_VALUE),
                whole -> chunks
                        .map(chunk -> add(whole, chunk, max))
                        .handle((added, sink) -> {
                            if (!added) {
                                sink.error(tooLarge.get());
                            }
                        })
                        .then(Mono.fromSupplier(whole::retain)),
                whole -> {
                    // A cancel (timeout, caller gone) may come from another thread while a chunk is added.
                    synchronized (whole) {
                        whole.release();
                    }
                });
    }

    private static boolean add(CompositeByteBuf whole, ByteBuf chunk, int max) {
        synchronized (whole) {
            if (whole.refCnt() == 0 || whole.readableBytes() + chunk.readableBytes() > max) {
                return false;
            }
            whole.addComponent(true, chunk.retain());
            return true;
        }
    }

    /** A request body runtime protocol v2 cannot carry: the function is not called. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }
}
