package dev.hearth.gateway.api.error;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hearth's one error translator: every failure that reaches the edge, from a handler or a
 * {@code WebFilter}, or from the execution route on Reactor Netty ({@link #answer}), is answered here with the executor's error body
 * {@code {"type","message","code","version"}}, status = code, and the executor's no-cache headers.
 *
 * <p>Ordered before Boot's own {@code ErrorWebExceptionHandler} (-1) so that it never renders its
 * whitelabel JSON. When the response is already committed (a streamed execution failed mid-body)
 * nothing can be written: the error is passed on so that the server closes the connection, which
 * is the only signal left to the caller. Unknown failures are logged with their stack trace and
 * the request's method and path only: headers and query strings may carry keys.
 */
@Component
@Order(-2)
public class ExecutorErrorHandler implements WebExceptionHandler {

    public static final String SERVER_HEADER_VALUE = ErrorAnswer.SERVER_HEADER_VALUE;

    private static final Logger log = LoggerFactory.getLogger(ExecutorErrorHandler.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ExecutorProperties properties;

    public ExecutorErrorHandler(ExecutorProperties properties) {
        this.properties = properties;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        ServerHttpRequest request = exchange.getRequest();
        ErrorAnswer answer = answer(ex, request.getMethod().name(), request.getPath().value());
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(ex);
        }
        return write(exchange.getResponse(), answer);
    }

    /**
     * What {@code ex} is answered with, for any server; an unexpected failure is logged here with its trace and the
     * request's method and path only (headers and query strings may carry keys). Thread-safe.
     */
    public ErrorAnswer answer(Throwable ex, String method, String path) {
        ExecutorError error = ExecutorError.from(ex);
        if (error.unexpected()) {
            log.error("Unhandled error on {} {}", method, path, ex);
        }
        return new ErrorAnswer(error.code(), body(error, properties.version()));
    }

    /**
     * Writes {@code error} as the response. For callers that answer with an error without throwing.
     * Lazy: nothing happens until subscription.
     */
    public Mono<Void> write(ServerHttpResponse response, ExecutorError error) {
        return Mono.defer(() -> write(response, new ErrorAnswer(error.code(), body(error, properties.version()))));
    }

    private static Mono<Void> write(ServerHttpResponse response, ErrorAnswer answer) {
        response.setStatusCode(HttpStatusCode.valueOf(answer.status()));
        HttpHeaders headers = response.getHeaders();
        headers.remove(HttpHeaders.CONTENT_LENGTH);
        answer.headers(headers::set);
        DataBuffer buffer = response.bufferFactory().wrap(answer.body());
        return response.writeWith(Mono.just(buffer));
    }

    /** The executor's error body, without development mode's file, line and trace. */
    public static byte[] body(ExecutorError error, String version) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", error.type().type());
        body.put("message", error.message());
        body.put("code", error.code());
        body.put("version", version);
        return JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    }
}
