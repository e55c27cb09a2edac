package dev.hearth.runner.http;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.hearth.runner.function.ExecutionCall;
import dev.hearth.runner.function.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
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
final class OpenRuntimesExecution extends ProxiedExecution {

    static final Duration MARGIN = Duration.ofSeconds(5);
    static final String SERVER_NAME = "Open Runtimes server";
    private static final String CONTROL_PREFIX = "x-open-runtimes-";
    private static final String LOG_ID = "x-open-runtimes-log-id";

    private final HttpClient client;
    private final String secret;
    private final Path logsDir;
    private volatile String logId = "";

    OpenRuntimesExecution(ExecutionCall call, HttpClient client, FunctionServer server, String secret, Path logsDir) {
        super(call, server, SERVER_NAME);
        this.client = client;
        this.secret = secret;
        this.logsDir = logsDir;
    }

    @Override
    Duration limit() {
        return Duration.ofMillis(call.request().timeoutMs()).plus(MARGIN);
    }

    /** The execution's log files, read and deleted. Blocking, so off the event loop. */
    @Override
    Mono<Output> output() {
        return Mono.fromCallable(() -> {
            OpenRuntimesLogs.Taken files = OpenRuntimesLogs.take(logsDir, logId);
            return new Output(files.logs(), files.errors());
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    Flux<ByteBuf> proxy() {
        return reconnecting(client
                .headers(this::requestHeaders)
                .request(HttpMethod.valueOf(call.request().method().toUpperCase(Locale.ROOT)))
                .uri(call.request().path())
                .send((request, out) -> out.send(call.body().map(ByteBuf::retain)))
                .response(this::responseFrames));
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
            logId = OpenRuntimesLogs.id(response.responseHeaders().get(LOG_ID));
            Map<String, List<String>> headers = HttpExecution.responseHeaders(response.responseHeaders());
            headers.keySet().removeIf(name -> name.startsWith(CONTROL_PREFIX));
            return head(response.status().code(), headers);
        });
        return head.concatWith(content.retain().map(chunk -> Frames.body(call.alloc(), chunk)));
    }
}
