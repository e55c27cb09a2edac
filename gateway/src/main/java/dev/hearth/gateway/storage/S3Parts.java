package dev.hearth.gateway.storage;

import java.util.ArrayList;
import java.util.List;

import org.reactivestreams.Publisher;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Cuts a write's content into the parts of a multipart upload: full parts of exactly {@code partSize} bytes as
 * they fill, then one {@linkplain S3Part#last() last} part with the rest (possibly empty). Content is copied into
 * unpooled heap blocks of {@value #BLOCK} bytes and released at once, so the HTTP client may still read a part after
 * a cancel without touching memory someone else owns. A part is a composite of its blocks: it takes what it holds
 * (a small object costs little), never grows by copying, and needs no large contiguous array (an 8 MiB array is a
 * humongous allocation that fragments a small G1 heap).
 *
 * <p>Threading: {@link #add} and {@link #last} are called by one operator in sequence, {@link #release} possibly
 * concurrently by a cancel; all three are serialized on this object.
 */
final class S3Parts {

    static final int BLOCK = 256 * 1024;

    private final int partSize;
    private CompositeByteBuf filling;
    private ByteBuf block;
    private int filled;
    private int number;

    private S3Parts(int partSize) {
        this.partSize = partSize;
    }

    /**
     * The parts of {@code content}, cut as it arrives. Content is pulled only as parts are wanted: while the consumer
     * holds one part and asks for no other, at most one more fills.
     */
    static Flux<S3Part> of(Publisher<ByteBuf> content, int partSize) {
        return Flux.using(() -> new S3Parts(partSize),
                parts -> Flux.from(content)
                        .concatMapIterable(parts::add, 1)
                        .concatWith(Mono.fromSupplier(parts::last)),
                S3Parts::release);
    }

    /** Copies {@code chunk} in and releases it; answers the parts it filled (usually none or one). */
    synchronized List<S3Part> add(ByteBuf chunk) {
        try {
            List<S3Part> full = new ArrayList<>(1);
            while (chunk.isReadable()) {
                if (block == null) {
                    int size = Math.min(BLOCK, partSize - filled);
                    block = Unpooled.buffer(size, size);
                }
                int length = Math.min(chunk.readableBytes(), block.writableBytes());
                block.writeBytes(chunk, length);
                filled += length;
                if (!block.isWritable()) {
                    keepBlock();
                }
                if (filled == partSize) {
                    full.add(new S3Part(++number, filling, false));
                    filling = null;
                    filled = 0;
                }
            }
            return full;
        } finally {
            chunk.release();
        }
    }

    /** The last part: what is left, possibly nothing. */
    synchronized S3Part last() {
        if (block != null) {
            keepBlock();
        }
        S3Part last = new S3Part(++number, filling == null ? Unpooled.EMPTY_BUFFER : filling, true);
        filling = null;
        filled = 0;
        return last;
    }

    /** Drops the part being filled, if any (after an error or a cancel). */
    synchronized void release() {
        if (block != null) {
            block.release();
            block = null;
        }
        if (filling != null) {
            filling.release();
            filling = null;
        }
    }

    private void keepBlock() {
        if (filling == null) {
            filling = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        }
        filling.addComponent(true, block);
        block = null;
    }
}
