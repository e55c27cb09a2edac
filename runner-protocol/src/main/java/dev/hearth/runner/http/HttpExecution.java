package dev.hearth.runner.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.hearth.runner.function.ExecutionCall;
import dev.hearth.runner.function.Frames;
import dev.hearth.runner.logs.CappedLog;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

/**
 * One {@code http} execution: the request is proxied to the function server, its status, headers and body
 * come back as frames as they arrive. Timeout and cancel cancel the proxied request only (the connection is
 * closed); the server keeps running. Failures end up in END ({@link ProxiedExecution}); {@code logs} and
 * {@code errors} are the server's stdout and stderr lines printed while the execution was in flight.
 */
final class HttpExecution extends ProxiedExecution {

    /** Connection-specific headers (RFC 9110 §7.6.1) and ones the proxy sets itself; never forwarded. */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding",
            "te", "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", "host", "content-length");

    /** How long END may wait for the server's last lines to be read (see FunctionServer#drained). */
    private static final Duration LOG_DRAIN = Duration.ofMillis(50);

    private final HttpClient client;
    private final FunctionServer server;
    private final ServerOutput.Attribution attribution = new ServerOutput.Attribution(CappedLog.logs(),
            CappedLog.errors());

    HttpExecution(ExecutionCall call, HttpClient client, FunctionServer server) {
        super(call, server, "function server");
        this.client = client;
        this.server = server;
    }

    @Override
    Flux<ByteBuf> frames() {
        server.track(attribution);
        return super.frames().doFinally(signal -> server.untrack(attribution));
    }

    @Override
    Duration limit() {
        return Duration.ofMillis(call.request().timeoutMs());
    }

    @Override
    Mono<Output> output() {
        return server.drained(LOG_DRAIN).then(Mono.fromSupplier(() -> new Output(attribution.logs().toString(),
                attribution.errors().toString())));
    }

    @Override
    Flux<ByteBuf> proxy() {
        return reconnecting(client
                .headers(this::copyRequestHeaders)
                .request(HttpMethod.valueOf(call.request().method().toUpperCase(Locale.ROOT)))
                .uri(call.request().path())
                .send((request, out) -> out.send(call.body().map(ByteBuf::retain)))
                .response(this::responseFrames));
    }

    private Flux<ByteBuf> responseFrames(HttpClientResponse response, reactor.netty.ByteBufFlux content) {
        Mono<ByteBuf> head = Mono.fromSupplier(() -> head(response.status().code(),
                responseHeaders(response.responseHeaders())));
        return head.concatWith(content.retain().map(chunk -> Frames.body(call.alloc(), chunk)));
    }

    private void copyRequestHeaders(HttpHeaders headers) {
        call.request().headers().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                headers.set(name, values);
            }
        });
        // Many function servers (python's http.server) cannot read a chunked body: forward a known length.
        if (call.bodyLength().isPresent()) {
            headers.set("content-length", call.bodyLength().getAsLong());
        } else {
            call.request().headers().forEach((name, values) -> {
                if (name.equalsIgnoreCase("content-length") && values.size() == 1) {
                    headers.set("content-length", values.get(0));
                }
            });
        }
    }

    static Map<String, List<String>> responseHeaders(HttpHeaders headers) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) || name.equals("content-length")) {
                result.computeIfAbsent(name, n -> new ArrayList<>()).add(header.getValue());
            }
        }
        return result;
    }
}
