package dev.hearth.runner.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.reactivestreams.Publisher;

import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Reading a stream of buffers in a test, each released once read, as its consumer must. */
public final class Buffers {

    private Buffers() {
    }

    /** The stream's bytes as UTF-8 text, decoded once at the end (a character may span two buffers). */
    public static Mono<String> text(Publisher<ByteBuf> buffers) {
        return Flux.from(buffers)
                .collect(ByteArrayOutputStream::new, (out, buffer) -> {
                    try {
                        buffer.readBytes(out, buffer.readableBytes());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } finally {
                        buffer.release();
                    }
                })
                .map(out -> out.toString(StandardCharsets.UTF_8));
    }
}
