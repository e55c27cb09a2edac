package dev.hearth.gateway.storage;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Test content: {@code size} bytes in chunks, each byte a function of its offset (so a lost, doubled or reordered
 * chunk changes the checksum), produced lazily, never held whole. Remembers the buffers it made, to check that
 * whoever consumed them released them, and counts what was pulled.
 */
final class Content {

    static final int CHUNK = 64 * 1024;

    private final long size;
    private final List<ByteBuf> made = new CopyOnWriteArrayList<>();
    private final AtomicLong pulled = new AtomicLong();
    private final boolean track;

    private Content(long size, boolean track) {
        this.size = size;
        this.track = track;
    }

    /** Content whose buffers are remembered (for small sizes). */
    static Content of(long size) {
        return new Content(size, true);
    }

    /** Content of any size; its buffers are not remembered. */
    static Content large(long size) {
        return new Content(size, false);
    }

    long size() {
        return size;
    }

    /** The bytes, as a cold publisher of fresh buffers. */
    Flux<ByteBuf> flux() {
        return Flux.generate(() -> 0L, (offset, sink) -> {
            if (offset >= size) {
                sink.complete();
                return offset;
            }
            int length = (int) Math.min(CHUNK, size - offset);
            sink.next(chunk(offset, length));
            return offset + length;
        });
    }

    /** The bytes, then {@code error}. */
    Flux<ByteBuf> thenFailing(RuntimeException error) {
        return flux().concatWith(Mono.error(error));
    }

    /** Bytes pulled from {@link #flux()} so far. */
    long pulled() {
        return pulled.get();
    }

    /** Whether every buffer made was released. */
    boolean allReleased() {
        return made.stream().allMatch(buffer -> buffer.refCnt() == 0);
    }

    /** The checksum of all {@code size} bytes. */
    long crc() {
        CRC32 crc = new CRC32();
        byte[] chunk = new byte[CHUNK];
        for (long offset = 0; offset < size; offset += CHUNK) {
            int length = (int) Math.min(CHUNK, size - offset);
            fill(chunk, offset, length);
            crc.update(chunk, 0, length);
        }
        return crc.getValue();
    }

    /** Checksum and size of {@code flux}'s bytes, releasing each buffer. */
    static Mono<long[]> crcOf(Flux<ByteBuf> flux) {
        return Mono.defer(() -> {
            CRC32 crc = new CRC32();
            long[] size = new long[1];
            return flux.doOnNext(buffer -> {
                try {
                    size[0] += buffer.readableBytes();
                    crc.update(buffer.nioBuffer());
                } finally {
                    buffer.release();
                }
            }).then(Mono.fromSupplier(() -> new long[] {crc.getValue(), size[0]}));
        });
    }

    private ByteBuf chunk(long offset, int length) {
        byte[] bytes = new byte[length];
        fill(bytes, offset, length);
        ByteBuf buffer = Unpooled.wrappedBuffer(bytes);
        pulled.addAndGet(length);
        if (track) {
            made.add(buffer);
        }
        return buffer;
    }

    private static void fill(byte[] bytes, long offset, int length) {
        for (int i = 0; i < length; i++) {
            long at = offset + i;
            bytes[i] = (byte) (at * 31 + (at >>> 16));
        }
    }
}
