package dev.hearth.gateway.api.params;

import java.util.Objects;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpMethod;
import reactor.core.publisher.Flux;

/**
 * A request as its parameters are read from it (§1.1 "Param sources"), whichever server received it: WebFlux's
 * request or Reactor Netty's (the execution route).
 *
 * @param method      the request's method
 * @param contentType the {@code Content-Type} header's value, or null
 * @param rawQuery    the query string as sent (still escaped), or null
 * @param body        the body, subscribed at most once and only when the params are in it; each buffer is released
 *                    by the reader
 */
public record ParamsSource(HttpMethod method, String contentType, String rawQuery, Flux<DataBuffer> body) {

    public ParamsSource {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(body, "body");
    }
}
