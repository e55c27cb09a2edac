package dev.hearth.gateway.execution.response;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import reactor.core.publisher.Mono;

/**
 * Where an execution's answer is written: the writers ({@link JsonExecutionWriter}, {@link MultipartExecutionWriter})
 * shape it without knowing the server. The execution route's is {@code ExecutionExchange}, on plain Netty.
 * One per response; used from one thread at a time.
 */
public interface ResponseSink {

    /** Wraps bytes as buffers the sink can write without copying. */
    DataBufferFactory buffers();

    /** Sets a header of the response head, replacing any of that name; only before {@link #send}. */
    void header(String name, String value);

    /**
     * Sends the head with {@code status}, then {@code body} under the connection's backpressure. Lazy. Every buffer
     * {@code body} emits is released, written or not; a failure after the head is sent can only end the connection.
     */
    Mono<Void> send(int status, Publisher<DataBuffer> body);
}
