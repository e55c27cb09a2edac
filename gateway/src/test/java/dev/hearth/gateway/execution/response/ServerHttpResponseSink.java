package dev.hearth.gateway.execution.response;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;

/** A {@link ResponseSink} onto Spring's (mock) response, so that the writers' tests read what was written. */
final class ServerHttpResponseSink implements ResponseSink {

    private final ServerHttpResponse response;

    ServerHttpResponseSink(ServerHttpResponse response) {
        this.response = response;
    }

    @Override
    public DataBufferFactory buffers() {
        return response.bufferFactory();
    }

    @Override
    public void header(String name, String value) {
        response.getHeaders().set(name, value);
    }

    @Override
    public Mono<Void> send(int status, Publisher<DataBuffer> body) {
        response.setStatusCode(HttpStatusCode.valueOf(status));
        return response.writeWith(body);
    }
}
