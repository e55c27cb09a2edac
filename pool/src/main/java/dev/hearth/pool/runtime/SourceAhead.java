package dev.hearth.pool.runtime;

import java.util.concurrent.atomic.AtomicReference;

import org.reactivestreams.Publisher;

import dev.hearth.runner.protocol.RunnerProtocol;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One creation's source archive, read from the moment the creation starts rather than when its specialize call asks
 * for it. An archive of at most {@link RunnerProtocol#WHOLE_ARCHIVE_BYTES} (a function's source usually is) is read
 * whole while the pod is acquired and leased, and the specialize call sends it with its head in one write; a larger
 * one streams as the call sends it, as before. A creation from a warm pool thus no longer waits, after the claim, for
 * a hop to the storage's thread, the file's open and read, and a hop back (bench/RESULTS.md, "Runtime creation").
 *
 * <p>Owns the buffer it read until {@link #release()}, which the creation calls once it has ended: each send of
 * {@link #body()} writes a retained duplicate, so that a client resending the request (a kept-alive connection found
 * closed) sends the whole archive again. At most that limit is held per creation, for the few milliseconds of its
 * claim and specialize call.
 */
final class SourceAhead {

    private final SourceArchive archive;
    private final AtomicReference<ByteBuf> held = new AtomicReference<>();
    /** Whether the archive is held whole (or is to be streamed); cached, so the read runs once. */
    private final Mono<Boolean> read;
    private volatile boolean released;
    /** When the archive's last byte was read: the whole read's end, or the stream's. */
    private volatile long readAt;

    private SourceAhead(SourceArchive archive) {
        this.archive = archive;
        this.read = archive.whole(RunnerProtocol.WHOLE_ARCHIVE_BYTES)
                .map(this::hold)
                .defaultIfEmpty(false)
                .cache();
    }

    /** Starts reading {@code archive} now. */
    static SourceAhead start(SourceArchive archive) {
        SourceAhead ahead = new SourceAhead(archive);
        // Errors are the specialize call's to report (body()); here they would only be logged as dropped.
        ahead.read.subscribe(null, error -> { });
        return ahead;
    }

    /**
     * The specialize call's body once the read ahead has ended: the archive whole (a {@code Mono}, which the HTTP
     * client writes with the head and a Content-Length), or its stream. Fails as the archive's read failed.
     */
    Mono<Publisher<ByteBuf>> body() {
        return read.map(whole -> whole
                ? Mono.defer(this::duplicate)
                : Flux.from(archive.stream()).doOnComplete(() -> readAt = System.nanoTime()));
    }

    /** How long, in ms, the archive's read went on after {@code since} (nanoTime); 0 if it ended before. */
    double readMillisAfter(long since) {
        long at = readAt;
        return at == 0 ? 0 : Math.max(0, at - since) / 1_000_000.0;
    }

    /** Frees the archive held whole, now or when its read ends. Idempotent; call once no body is being sent. */
    void release() {
        released = true;
        ByteBuf buf = held.getAndSet(null);
        if (buf != null) {
            buf.release();
        }
    }

    private boolean hold(ByteBuf buf) {
        readAt = System.nanoTime();
        held.set(buf);
        if (released) {
            release();
        }
        return true;
    }

    private Mono<ByteBuf> duplicate() {
        ByteBuf buf = held.get();
        return buf == null ? Mono.error(new IllegalStateException("the source archive was released"))
                : Mono.just(buf.retainedDuplicate());
    }
}
