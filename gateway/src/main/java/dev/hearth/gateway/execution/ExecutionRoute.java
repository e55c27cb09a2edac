package dev.hearth.gateway.execution;

import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
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
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code POST /v1/runtimes/{runtimeId}/executions} (and {@code /execution}) served on Reactor Netty, below WebFlux:
 * an execution pays for no exchange, filter chain, dispatcher or observation (bench/RESULTS.md, "Where Hearth's own
 * share goes"). Spring Boot adds this {@link NettyRouteProvider} to its Netty server, whose routes are asked before
 * WebFlux's handler; every other request, the actuator's included, reaches WebFlux unchanged.
 *
 * <p>It answers as WebFlux did, by asking the owners WebFlux asked: {@link ExecutionPath} matches the paths WebFlux's
 * router matched (so no escaped or matrix-parameter spelling reaches the handler without the key check),
 * {@link ExecutorKey} checks the key, {@link ExecutionHandler} executes, {@link ExecutorErrorHandler} translates a
 * failure, {@link RequestTimer} records {@code http.server.requests}. Every answer says {@code Server: Executor}.
 * A client that goes away cancels the handler's chain, and with it the runner's stream. Thread-safe.
 */
@Component
public class ExecutionRoute implements NettyRouteProvider {

    private final ExecutionHandler handler;
    private final ExecutorErrorHandler errors;
    private final ExecutorKey key;
    private final RequestTimer timer;

    public ExecutionRoute(ExecutionHandler handler, ExecutorErrorHandler errors, ExecutorProperties executor,
                          RequestTimer timer) {
        this.handler = handler;
        this.errors = errors;
        this.key = new ExecutorKey(executor);
        this.timer = timer;
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return routes.route(ExecutionRoute::isExecution, this::serve);
    }

    private static boolean isExecution(HttpServerRequest request) {
        return io.netty.handler.codec.http.HttpMethod.POST.equals(request.method())
                && ExecutionPath.match(request.uri()) != null;
    }

    private Mono<Void> serve(HttpServerRequest request, HttpServerResponse response) {
        long received = System.nanoTime();
        ExecutionPath.Match match = ExecutionPath.match(request.uri());
        response.header(HttpHeaders.SERVER, ErrorAnswer.SERVER_HEADER_VALUE);
        boolean admitted = key.admits(request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION));
        // WebFlux refused a caller without the key before routing, so its timer named no route: neither does this.
        Served served = new Served(admitted ? match.pattern() : RequestTimer.UNROUTED);
        Mono<Void> answer = admitted
                ? Mono.defer(() -> execute(request, response, match, received))
                : Mono.error(ExecutorKey.rejection());
        return answer
                .onErrorResume(failure -> answerFailure(request, response, served, failure))
                .doFinally(signal -> record(request, response, served, signal, received));
    }

    private Mono<Void> execute(HttpServerRequest request, HttpServerResponse response, ExecutionPath.Match match,
                               long received) {
        NettyDataBufferFactory buffers = new NettyDataBufferFactory(response.alloc());
        // As Spring's Reactor Netty adapter reads a body: each buffer retained for the reader, who releases it.
        ParamsSource params = new ParamsSource(HttpMethod.POST,
                request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE), match.rawQuery(),
                request.receive().retain().map(buffers::wrap));
        ExecutionCall call = new ExecutionCall(match.runtimeId(), params,
                request.requestHeaders().get(HttpHeaderNames.ACCEPT),
                request.requestHeaders().get(ExecutionHeaders.RESPONSE_FORMAT_HEADER));
        return handler.execute(call, new NettyResponseSink(response, buffers), received);
    }

    /**
     * The error answer, while nothing is sent; after the head only ending the connection is left, which passing
     * the failure on does (as WebFlux did).
     */
    private Mono<Void> answerFailure(HttpServerRequest request, HttpServerResponse response, Served served,
                                     Throwable failure) {
        served.failure = failure;
        ErrorAnswer answer = errors.answer(failure, request.method().name(), rawPath(request.uri()));
        if (response.hasSentHeaders()) {
            return Mono.error(failure);
        }
        response.status(HttpResponseStatus.valueOf(answer.status()));
        answer.headers(response::header);
        response.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(answer.body().length));
        return response.send(Mono.fromCallable(() -> Unpooled.wrappedBuffer(answer.body()))).then();
    }

    private void record(HttpServerRequest request, HttpServerResponse response, Served served, SignalType signal,
                        long received) {
        // As WebFlux told a client that went away from a failure: by Spring's own test of the exception.
        boolean aborted = signal == SignalType.CANCEL || served.failure != null
                && DisconnectedClientHelper.isClientDisconnectedException(served.failure);
        timer.record(request.method().name(), served.uri, aborted ? RequestTimer.ABORTED : response.status().code(),
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
