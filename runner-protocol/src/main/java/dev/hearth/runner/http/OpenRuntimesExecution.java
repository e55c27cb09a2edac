package dev.hearth.runner.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.hearth.runner.function.ExecutionCall;
import dev.hearth.runner.function.Frames;
import dev.hearth.runner.protocol.ExecutionEnd;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.ReferenceCountUtil;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

/**
 * One execution on an Open Runtimes server (runtime protocol v5, as the upstream executor sends it): the caller's
 * method, path, headers ({@code host} included) and body, plus {@code x-open-runtimes-secret},
 * {@code x-open-runtimes-timeout} ({@code max(1, seconds)}), {@code x-open-runtimes-logging} and
 * {@code Authorization: Basic base64("opr:" + secret)}. The status, headers (without {@code x-open-runtimes-*}) and
 * body come back as frames as they arrive; END carries the log files named by {@code x-open-runtimes-log-id}.
 *
 * <p>The server ends a function at the timeout itself (500, "Execution timed out." in its errors file), so the runner
 * waits {@link #MARGIN} longer before it cancels the call, as the upstream executor's client does.
 */
final class OpenRuntimesExecution {

    static final Duration MARGIN = Duration.ofSeconds(5);
    private static final String CONTROL_PREFIX = "x-open-runtimes-";
    private static final String LOG_ID = "x-open-runtimes-log-id";

    private final ExecutionCall call;
    private final HttpClient client;
    private final FunctionServer server;
    private final String secret;
    private final java.nio.file.Path logsDir;
    private volatile boolean headSent;
    private volatile boolean timedOut;
    private volatile String failure;
    private volatile String logId = "";

    OpenRuntimesExecution(ExecutionCall call, HttpClient client, FunctionServer server, String secret,
                          java.nio.file.Path logsDir) {
        this.call = call;
        this.client = client;
        this.server = server;
        this.secret = secret;
        this.logsDir = logsDir;
    }

    Flux<ByteBuf> frames() {
        return proxy()
                .takeUntilOther(Mono.delay(Duration.ofMillis(call.request().timeoutMs()).plus(MARGIN))
                        .doOnNext(tick -> timedOut = true))
                .onErrorResume(this::onProxyError)
                .concatWith(Mono.fromCallable(this::tailFrames).subscribeOn(Schedulers.boundedElastic()))
                .doOnDiscard(ByteBuf.class, ReferenceCountUtil::safeRelease);
    }

    private Flux<ByteBuf> proxy() {
        return client
                .headers(this::requestHeaders)
                .request(HttpMethod.valueOf(call.request().method().toUpperCase(Locale.ROOT)))
                .uri(call.request().path())
                .send((request, out) -> out.send(call.body().map(ByteBuf::retain)))
                .response(this::responseFrames);
    }

    private void requestHeaders(HttpHeaders headers) {
        call.request().headers().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            // host reaches the function (it builds its URL from it); the control headers are the runner's to set.
            if (lower.equals("host") || !HttpExecution.HOP_BY_HOP.contains(lower) && !lower.startsWith(CONTROL_PREFIX)) {
                headers.set(name, values);
            }
        });
        call.bodyLength().ifPresent(length -> headers.set("content-length", length));
        headers.set("x-open-runtimes-secret", secret);
        headers.set("x-open-runtimes-timeout", Long.toString(Math.max(1, call.request().timeoutMs() / 1000)));
        headers.set("x-open-runtimes-logging", Boolean.TRUE.equals(call.request().logging()) ? "enabled" : "disabled");
        headers.set("authorization", "Basic "
                + Base64.getEncoder().encodeToString(("opr:" + secret).getBytes(StandardCharsets.UTF_8)));
    }

    private Flux<ByteBuf> responseFrames(HttpClientResponse response, ByteBufFlux content) {
        Mono<ByteBuf> head = Mono.fromSupplier(() -> {
            headSent = true;
            logId = OpenRuntimesLogs.id(response.responseHeaders().get(LOG_ID));
            Map<String, java.util.List<String>> headers = HttpExecution.responseHeaders(response.responseHeaders());
            headers.keySet().removeIf(name -> name.startsWith(CONTROL_PREFIX));
            return Frames.head(call.alloc(), response.status().code(), headers);
        });
        return head.concatWith(content.retain().map(chunk -> Frames.body(call.alloc(), chunk)));
    }

    private Flux<ByteBuf> onProxyError(Throwable error) {
        failure = (server.alive() ? "request to the Open Runtimes server failed: "
                : server.exitDescription() + "; request failed: ") + error;
        return Flux.empty();
    }

    /** END (after HEAD when none was sent): the execution's log files, read and deleted. Blocking. */
    private ByteBuf tailFrames() throws java.io.IOException {
        OpenRuntimesLogs.Taken files = OpenRuntimesLogs.take(logsDir, logId);
        String errors = Optional.ofNullable(failure)
                .map(why -> files.errors() + (files.errors().isEmpty() || files.errors().endsWith("\n") ? "" : "\n")
                        + why)
                .orElse(files.errors());
        if (timedOut) {
            errors = Frames.withTimeoutNote(errors);
        }
        ByteBuf end = Frames.end(call.alloc(), new ExecutionEnd(files.logs(), errors, timedOut, -1, call.elapsedMs()));
        if (headSent) {
            return end;
        }
        headSent = true;
        return Frames.concat(call.alloc(), Frames.head(call.alloc(), timedOut ? 500 : 502, Map.of()), end);
    }
}
