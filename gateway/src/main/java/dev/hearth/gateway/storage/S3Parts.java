package dev.hearth.gateway.storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.reactivestreams.Publisher;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Cuts a write's content into the parts of a multipart upload: full parts of exactly {@code partSize} bytes as
 * they fill, then one {@linkplain Part#last() last} part with the rest (possibly empty). Content is copied into
 * unpooled heap parts and released at once, so the HTTP client may still read a part after a cancel without
 * touching memory someone else owns. A part grows as it fills, so a small object costs little.
 *
 * <p>Threading: {@link #add} and {@link #last} are called by one operator in sequence, {@link #release} possibly
 * concurrently by a cancel; all three are serialized on this object.
 */
final class S3Parts {

    private static final int INITIAL_CAPACITY = 64 * 1024;

    private final int partSize;
    private ByteBuf filling;
    private int number;

    private S3Parts(int partSize) {
        this.partSize = partSize;
    }

    /**
     * The parts of {@code content}, cut as it arrives. Content is pulled only while a part is wanted: with one part
     * taken and none requested, at most one more fills (requested ahead by whoever does not prefetch).
     */
    static Flux<Part> of(Publisher<ByteBuf> content, int partSize) {
        return Flux.using(() -> new S3Parts(partSize),
                parts -> Flux.from(content)
                        .concatMapIterable(parts::add, 1)
                        .concatWith(Mono.fromSupplier(parts::last)),
                S3Parts::release);
    }

    /** Copies {@code chunk} in and releases it; answers the parts it filled (usually none or one). */
    synchronized List<Part> add(ByteBuf chunk) {
        try {
            List<Part> full = new ArrayList<>(1);
            while (chunk.isReadable()) {
                if (filling == null) {
                    filling = Unpooled.buffer(Math.min(INITIAL_CAPACITY, partSize), partSize);
                }
                filling.writeBytes(chunk, Math.min(chunk.readableBytes(), filling.maxWritableBytes()));
                if (filling.readableBytes() == partSize) {
                    full.add(new Part(++number, filling, false));
                    filling = null;
                }
            }
            return full;
        } finally {
            chunk.release();
        }
    }

    /** The last part: what is left, possibly nothing. */
    synchronized Part last() {
        Part last = new Part(++number, filling == null ? Unpooled.EMPTY_BUFFER : filling, true);
        filling = null;
        return last;
    }

    /** Drops the part being filled, if any (after an error or a cancel). */
    synchronized void release() {
        if (filling != null) {
            filling.release();
            filling = null;
        }
    }

    /**
     * One part of an upload.
     *
     * @param number its part number, from 1
     * @param data   its bytes, owned by whoever holds the part until {@link #release()}
     * @param last   whether no part follows
     */
    record Part(int number, ByteBuf data, boolean last) {

        int size() {
            return data.readableBytes();
        }

        /** The bytes for the SDK, without a copy. */
        ByteBuffer[] buffers() {
            return data.nioBuffers();
        }

        void release() {
            if (data.refCnt() > 0) {
                data.release();
            }
        }
    }
}
