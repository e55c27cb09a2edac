package dev.hearth.gateway.execution;

import java.util.ArrayDeque;

import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * An execution request's body as the params reader reads it: the connection's chunks, each handed on once and
 * released by the reader. One subscriber. Chunks that come before it subscribes wait here, and past
 * {@link #HELD_BYTES} the connection reads no more until it does (a client cannot fill the heap with a body nobody
 * reads). Once the answer is sent, or the reader cancels, what is left is released as it comes, so the connection
 * can serve its next request. Confined to the connection's event loop: a subscriber's calls from elsewhere hop there, in order ({@link LoopSignals}).
 */
final class RequestBody extends Flux<DataBuffer> implements Subscription {

    /** What may wait for a subscriber before the connection stops reading. */
    static final int HELD_BYTES = 256 * 1024;

    private final LoopSignals signals;
    private final Runnable readingChanged;
    private final NettyDataBufferFactory buffers;
    private final Runnable firstRead;
    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
    private CoreSubscriber<? super DataBuffer> subscriber;
    private int heldBytes;
    private long demand;
    private boolean ended;
    private Throwable failure;
    /** Cancelled, answered without it, or handed its end: nothing more goes to a subscriber. */
    private boolean closed;

    /**
     * @param firstRead      runs when the reader first subscribes ({@code 100 Continue} for a client that waits)
     * @param readingChanged runs when {@link #wantsMore()} may have changed
     */
    RequestBody(EventExecutor loop, NettyDataBufferFactory buffers, Runnable firstRead, Runnable readingChanged) {
        this.signals = new LoopSignals(loop);
        this.readingChanged = readingChanged;
        this.buffers = buffers;
        this.firstRead = firstRead;
    }

    /** A chunk from the connection; this body owns it from here. */
    void offer(ByteBuf chunk) {
        if (closed || !chunk.isReadable()) {
            chunk.release();
            return;
        }
        chunks.add(chunk);
        heldBytes += chunk.readableBytes();
        if (!wantsMore()) {
            readingChanged.run();
        }
        drain();
    }

    void end() {
        ended = true;
        drain();
    }

    /**
     * Nothing more will be read (the answer is sent, the connection broke or sent a malformed body): a reader still
     * reading is told {@code why}, and what waits and what still comes is released.
     */
    void abort(Throwable why) {
        if (failure == null) {
            failure = why;
        }
        drain();
        close();
    }

    @Override
    public void subscribe(CoreSubscriber<? super DataBuffer> actual) {
        signals.run(() -> {
            if (subscriber != null) {
                Operators.error(actual, new IllegalStateException("a request body is read once"));
                return;
            }
            if (closed) {
                Operators.error(actual, failure != null ? failure
                        : new IllegalStateException("the request body was already discarded"));
                return;
            }
            subscriber = actual;
            actual.onSubscribe(this);
            firstRead.run();
            readingChanged.run();
            drain();
        });
    }

    @Override
    public void request(long n) {
        if (Operators.validate(n)) {
            signals.run(() -> {
                demand = Operators.addCap(demand, n);
                drain();
            });
        }
    }

    @Override
    public void cancel() {
        signals.run(this::close);
    }

    private void close() {
        closed = true;
        ByteBuf chunk;
        while ((chunk = chunks.poll()) != null) {
            chunk.release();
        }
        heldBytes = 0;
        readingChanged.run();
    }

    /** False while chunks past {@link #HELD_BYTES} wait for a reader that has not come yet. */
    boolean wantsMore() {
        return closed || subscriber != null || heldBytes <= HELD_BYTES;
    }

    private void drain() {
        if (subscriber == null || closed) {
            return;
        }
        while (demand > 0 && !chunks.isEmpty()) {
            demand--;
            ByteBuf chunk = chunks.poll();
            heldBytes -= chunk.readableBytes();
            subscriber.onNext(buffers.wrap(chunk));
            if (closed) {
                return;
            }
        }
        if (failure != null) {
            close();
            subscriber.onError(failure);
        } else if (ended && chunks.isEmpty()) {
            close();
            subscriber.onComplete();
        }
    }
}
