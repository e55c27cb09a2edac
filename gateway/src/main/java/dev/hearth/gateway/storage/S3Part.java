package dev.hearth.gateway.storage;

import java.nio.ByteBuffer;
import java.util.Optional;

import org.reactivestreams.Subscriber;

import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import software.amazon.awssdk.core.async.AsyncRequestBody;

/**
 * One part of a multipart upload ({@link S3Parts}): its bytes are blocks of {@value S3Parts#BLOCK} bytes (the last
 * one shorter), owned by whoever holds the part until {@link #release()}.
 *
 * <p>{@link #body()} hands the bytes to the SDK without a copy, block by block as it asks, and lets go of them at
 * {@link #release()}: the SDK's HTTP client keeps a request's body referenced after its answer (its own byte-buffer
 * bodies keep every block), which would hold a third part in memory.
 */
final class S3Part {

    private final int number;
    private final int size;
    private final boolean last;
    private volatile ByteBuf data;

    S3Part(int number, ByteBuf data, boolean last) {
        this.number = number;
        this.size = data.readableBytes();
        this.last = last;
        this.data = data;
    }

    /** Its part number, from 1. */
    int number() {
        return number;
    }

    int size() {
        return size;
    }

    /** Whether no part follows. */
    boolean last() {
        return last;
    }

    /** The bytes as a request body, each subscription from the start (signing may read it before sending it). */
    AsyncRequestBody body() {
        return new AsyncRequestBody() {
            @Override
            public Optional<Long> contentLength() {
                return Optional.of((long) size);
            }

            @Override
            public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
                blocks().subscribe(subscriber);
            }
        };
    }

    /** Releases the bytes; a body subscribed later fails. Idempotent. */
    synchronized void release() {
        ByteBuf bytes = data;
        data = null;
        if (bytes != null && bytes.refCnt() > 0) {
            bytes.release();
        }
    }

    private Flux<ByteBuffer> blocks() {
        return Flux.generate(() -> 0, (offset, sink) -> {
            ByteBuf bytes = data;
            if (bytes == null) {
                sink.error(new IllegalStateException("part " + number + " was released"));
            } else if (offset >= size) {
                sink.complete();
            } else {
                sink.next(bytes.nioBuffer(offset, Math.min(S3Parts.BLOCK, size - offset)));
            }
            return offset + S3Parts.BLOCK;
        });
    }
}
