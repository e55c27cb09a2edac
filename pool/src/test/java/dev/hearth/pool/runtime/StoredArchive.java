package dev.hearth.pool.runtime;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An archive held in memory, answering as a storage device does: whole up to the limit asked, else streamed in
 * 16 KiB chunks. Counts its reads of either kind.
 */
final class StoredArchive implements SourceArchive {

    private static final int CHUNK = 16 * 1024;

    final byte[] archive;
    final AtomicInteger wholeReads = new AtomicInteger();
    final AtomicInteger streams = new AtomicInteger();

    StoredArchive(byte[] archive) {
        this.archive = archive;
    }

    @Override
    public Mono<ByteBuf> whole(int maxBytes) {
        return Mono.fromSupplier(() -> {
            wholeReads.incrementAndGet();
            return archive.length > maxBytes ? null : Unpooled.wrappedBuffer(archive);
        });
    }

    @Override
    public Flux<ByteBuf> stream() {
        return Flux.range(0, (archive.length + CHUNK - 1) / CHUNK)
                .doOnSubscribe(s -> streams.incrementAndGet())
                .map(i -> Unpooled.wrappedBuffer(archive, i * CHUNK, Math.min(CHUNK, archive.length - i * CHUNK)));
    }

    int reads() {
        return wholeReads.get() + streams.get();
    }
}

