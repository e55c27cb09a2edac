package dev.hearth.runner.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.LinkedBlockingQueue;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

/**
 * A blocking {@link InputStream} over a {@code Publisher<ByteBuf>}, for handing a streamed request body to
 * blocking code (tar extraction, a process's stdin) without holding it whole.
 *
 * <p>Backpressure: at most {@link #WINDOW} buffers are requested ahead; one more is requested each time the
 * reader finishes a buffer, so a slow reader slows the sender. {@code onNext} never blocks (it runs on a Netty
 * event loop): the demand accounting guarantees room. Buffers are retained on arrival and released once read,
 * or on {@link #close()}.
 *
 * <p>Threading: one reader thread; {@link #close()} may be called from any thread and is idempotent.
 */
public final class FluxInputStream extends InputStream {

    static final int WINDOW = 8;
    private static final Object COMPLETE = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Receiver receiver = new Receiver();
    private volatile boolean closed;
    private volatile Thread readerThread;
    private ByteBuf current;
    private boolean finished;

    /** Subscribes now; call from where subscribing is allowed (any thread). */
    public static FluxInputStream of(org.reactivestreams.Publisher<ByteBuf> source) {
        FluxInputStream stream = new FluxInputStream();
        source.subscribe(stream.receiver);
        return stream;
    }

    private FluxInputStream() {
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        ByteBuf buf = currentBuffer();
        if (buf == null) {
            return -1;
        }
        int n = Math.min(length, buf.readableBytes());
        buf.readBytes(target, offset, n);
        return n;
    }

    private ByteBuf currentBuffer() throws IOException {
        readerThread = Thread.currentThread();
        if (closed) {
            releaseCurrent();
            return null;
        }
        while (current == null || !current.isReadable()) {
            if (current != null) {
                current.release();
                current = null;
                receiver.request(1);
            }
            if (finished || closed) {
                return null;
            }
            Object next = take();
            if (next == COMPLETE) {
                finished = true;
                return null;
            }
            if (next instanceof Throwable error) {
                finished = true;
                throw new IOException("request body failed: " + error.getMessage(), error);
            }
            current = (ByteBuf) next;
        }
        return current;
    }

    private Object take() throws IOException {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the request body");
        }
    }

    /** Cancels the source and frees every buffer not yet read. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        receiver.cancel();
        // The reader may be parked in take(): wake it as if the body ended.
        queue.offer(COMPLETE);
        drain();
    }

    private void drain() {
        Object item;
        while ((item = queue.poll()) != null) {
            ReferenceCountUtil.safeRelease(item);
        }
        // The buffer being read belongs to the reader thread: free it only from there (or when none read yet);
        // otherwise the reader frees it on its next read, which sees closed.
        Thread reader = readerThread;
        if (reader == null || reader == Thread.currentThread()) {
            releaseCurrent();
        }
    }

    private void releaseCurrent() {
        ByteBuf buf = current;
        current = null;
        if (buf != null && buf.refCnt() > 0) {
            buf.release();
        }
    }

    private final class Receiver extends BaseSubscriber<ByteBuf> {

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            subscription.request(WINDOW);
        }

        @Override
        protected void hookOnNext(ByteBuf buf) {
            if (closed) {
                return;
            }
            // The source (reactor-netty) frees the buffer when onNext returns: keep our own reference.
            queue.offer(buf.retain());
            if (closed) {
                drain();
            }
        }

        @Override
        protected void hookOnComplete() {
            queue.offer(COMPLETE);
        }

        @Override
        protected void hookOnError(Throwable error) {
            queue.offer(error);
        }
    }
}
