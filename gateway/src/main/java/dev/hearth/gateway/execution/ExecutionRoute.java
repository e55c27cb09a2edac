package dev.hearth.gateway.execution;

import java.util.Arrays;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.util.DisconnectedClientHelper;

import dev.hearth.gateway.api.error.ErrorAnswer;
import dev.hearth.gateway.api.error.ExecutorErrorHandler;
import dev.hearth.gateway.api.error.ExecutorProperties;
import dev.hearth.gateway.api.params.ParamsSource;
import dev.hearth.gateway.auth.ExecutorKey;
import dev.hearth.gateway.execution.response.ExecutionHeaders;
import dev.hearth.gateway.metrics.RequestTimer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

/**
 * {@code POST /v1/runtimes/{runtimeId}/executions} (and {@code /execution}) served on plain Netty, below Reactor
 * Netty's HTTP operations and WebFlux: an execution pays for no exchange, filter chain, dispatcher or observation, and
 * none of Reactor Netty's connection operations (bench/RESULTS.md, "Where Hearth's own share goes" and "The CPU a
 * request costs each process"). This {@link NettyServerCustomizer} puts an {@link ExecutionConnection} after each
 * connection's HTTP codec; it takes the execution requests and hands every other request, the actuator's included,
 * to Reactor Netty and WebFlux unchanged.
 *
 * <p>It answers as WebFlux did, by asking the owners WebFlux asked: {@link ExecutionPath} matches the paths WebFlux's
 * router matched (so no escaped or matrix-parameter spelling reaches the handler without the key check),
 * {@link ExecutorKey} checks the key, {@link ExecutionHandler} executes, {@link ExecutorErrorHandler} translates a
 * failure, {@link RequestTimer} records {@code http.server.requests}. Every answer says {@code Server: Executor}.
 * A client that goes away cancels the handler's chain, and with it the runner's stream. Graceful shutdown waits for
 * the executions in flight ({@link ExecutionsInFlight}). Thread-safe.
 */
@Component
public class ExecutionRoute implements NettyServerCustomizer {

    private final ExecutionHandler handler;
    private final ExecutorErrorHandler errors;
    private final ExecutorKey key;
    private final RequestTimer timer;
    private final ExecutionsInFlight inFlight;

    public ExecutionRoute(ExecutionHandler handler, ExecutorErrorHandler errors, ExecutorProperties executor,
                          RequestTimer timer, ExecutionsInFlight inFlight) {
        this.handler = handler;
        this.inFlight = inFlight;
        this.errors = errors;
        this.key = new ExecutorKey(executor);
        this.timer = timer;
    }

    /**
     * Puts an {@link ExecutionConnection} on each connection. The server must speak HTTP/1.1 only: an HTTP/2
     * connection has no HTTP/1.1 codec to follow, and its executions would reach WebFlux, which has no route for them;
     * so {@code server.http2.enabled} fails the start with a message instead. Responses written here are not
     * compressed ({@code server.compression}, off by default, applies to WebFlux's answers).
     */
    @Override
    public HttpServer apply(HttpServer server) {
        if (Arrays.stream(server.configuration().protocols()).anyMatch(protocol -> protocol != HttpProtocol.HTTP11)) {
            throw new IllegalStateException("Hearth serves executions over HTTP/1.1 only; unset server.http2.enabled");
        }
        return server.doOnChannelInit((observer, channel, remote) -> {
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(NettyPipeline.HttpCodec) != null) {
                pipeline.addAfter(NettyPipeline.HttpCodec, ExecutionConnection.NAME,
                        new ExecutionConnection(this, inFlight));
            }
        });
    }

    /** Answers one execution request; runs on its connection's event loop. */
    void serve(ExecutionExchange exchange) {
        long received = System.nanoTime();
        HttpHeaders requestHeaders = exchange.request().headers();
        exchange.header(HttpHeaderNames.SERVER.toString(), ErrorAnswer.SERVER_HEADER_VALUE);
        boolean admitted = key.admits(requestHeaders.get(HttpHeaderNames.AUTHORIZATION));
        // WebFlux refused a caller without the key before routing, so its timer named no route: neither does this.
        Served served = new Served(admitted ? exchange.match().pattern() : RequestTimer.UNROUTED);
        Mono<Void> answer = admitted
                ? Mono.defer(() -> execute(exchange, requestHeaders, received))
                : Mono.error(ExecutorKey.rejection());
        exchange.answer(answer
                .onErrorResume(failure -> answerFailure(exchange, served, failure))
                .doFinally(signal -> record(exchange, served, signal, received)));
    }

    private Mono<Void> execute(ExecutionExchange exchange, HttpHeaders requestHeaders, long received) {
        ExecutionPath.Match match = exchange.match();
        ParamsSource params = new ParamsSource(HttpMethod.POST, requestHeaders.get(HttpHeaderNames.CONTENT_TYPE),
                match.rawQuery(), exchange.body());
        ExecutionCall call = new ExecutionCall(match.runtimeId(), params, requestHeaders.get(HttpHeaderNames.ACCEPT),
                requestHeaders.get(ExecutionHeaders.RESPONSE_FORMAT_HEADER));
        return handler.execute(call, exchange, received);
    }

    /**
     * The error answer, while nothing is sent; after the head only ending the connection is left, which passing
     * the failure on does (as WebFlux did).
     */
    private Mono<Void> answerFailure(ExecutionExchange exchange, Served served, Throwable failure) {
        served.failure = failure;
        if (exchange.headSent()) {
            return Mono.error(failure);
        }
        ErrorAnswer answer = errors.answer(failure, exchange.request().method().name(),
                rawPath(exchange.request().uri()));
        answer.headers(exchange::header);
        exchange.header(HttpHeaderNames.CONTENT_LENGTH.toString(), Integer.toString(answer.body().length));
        return exchange.send(answer.status(), Mono.fromCallable(() -> exchange.buffers().wrap(answer.body())));
    }

    private void record(ExecutionExchange exchange, Served served, SignalType signal, long received) {
        // As WebFlux told a client that went away from a failure: by Spring's own test of the exception.
        boolean aborted = signal == SignalType.CANCEL || served.failure != null
                && DisconnectedClientHelper.isClientDisconnectedException(served.failure);
        timer.record(exchange.request().method().name(), served.uri, aborted ? RequestTimer.ABORTED : exchange.status(),
                aborted ? null : served.failure, System.nanoTime() - received);
    }

    private static String rawPath(String target) {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /** What the timer needs to know of one request once it ends. */
    private static final class Served {

        private final String uri;
        private Throwable failure;

        Served(String uri) {
            this.uri = uri;
        }
    }
}
