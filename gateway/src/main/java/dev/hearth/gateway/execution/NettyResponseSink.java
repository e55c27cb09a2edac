package dev.hearth.gateway.execution;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

import dev.hearth.gateway.execution.response.ResponseSink;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/**
 * An execution's answer written straight to Reactor Netty's response. The buffers are Netty's own (the runner's
 * chunks pass through unwrapped, not copied) and go out as Spring's Reactor Netty adapter sends them: a single
 * buffer as one write with its length, a stream as chunks under the connection's backpressure. Reactor Netty
 * releases what it is given, written or discarded. One per response.
 */
final class NettyResponseSink implements ResponseSink {

    private final HttpServerResponse response;
    private final NettyDataBufferFactory buffers;

    NettyResponseSink(HttpServerResponse response, NettyDataBufferFactory buffers) {
        this.response = response;
        this.buffers = buffers;
    }

    @Override
    public DataBufferFactory buffers() {
        return buffers;
    }

    @Override
    public void header(String name, String value) {
        response.header(name, value);
    }

    @Override
    public Mono<Void> send(int status, Publisher<DataBuffer> body) {
        response.status(HttpResponseStatus.valueOf(status));
        Publisher<ByteBuf> bytes = body instanceof Mono
                ? Mono.from(body).map(NettyDataBufferFactory::toByteBuf)
                : Flux.from(body).map(NettyDataBufferFactory::toByteBuf);
        return response.send(bytes).then();
    }
}
