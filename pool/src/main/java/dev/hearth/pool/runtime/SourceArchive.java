package dev.hearth.pool.runtime;

import org.reactivestreams.Publisher;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A runtime's source archive (tar.gz) as a creation reads it: whole when it is small, so that it is read while the
 * creation claims its pod and goes to the runner in the same write as the specialize call's head
 * ({@link SourceAhead}), or streamed when it is not. Both reads are cold: nothing is read until subscription, and
 * each subscription reads anew.
 */
public interface SourceArchive {

    /** No code: an empty body, which the runner extracts to nothing. */
    SourceArchive NONE = new SourceArchive() {
        @Override
        public Mono<ByteBuf> whole(int maxBytes) {
            return Mono.just(Unpooled.EMPTY_BUFFER);
        }

        @Override
        public Publisher<ByteBuf> stream() {
            return Flux.empty();
        }
    };

    /**
     * The archive in one buffer when it is at most {@code maxBytes} long, empty when it is longer; fails as
     * {@link #stream()} does (no such object, the device failing). The subscriber owns the buffer.
     */
    Mono<ByteBuf> whole(int maxBytes);

    /** The archive as its device delivers it, never held whole; the subscriber releases each buffer. */
    Publisher<ByteBuf> stream();
}
