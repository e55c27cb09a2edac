package dev.hearth.gateway.execution;

import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.MonoSink;

/**
 * Writes one answer's body to its connection. A single buffer (a {@code Mono}: the JSON answer, an error) goes out
 * with its head as one write of known length. A stream (multipart) goes out as chunks, one asked for at a time and
 * the next only while the connection is writable, so a slow client holds the runner back instead of the heap.
 * Writes made in one turn of the event loop share one flush. Every buffer it is given is written or released.
 * Confined to the connection's event loop ({@link LoopSignals}); one per answer.
 */
final class ResponseWriter extends BaseSubscriber<DataBuffer> {

    private final ExecutionExchange exchange;
    private final ChannelHandlerContext ctx;
    private final MonoSink<Void> done;
    private final boolean single;
    private final LoopSignals signals;
    private final Runnable flush = this::flush;
    private ByteBuf pending;
    private boolean flushScheduled;
    private boolean waitingForWritability;
    private boolean finished;

    ResponseWriter(ExecutionExchange exchange, ChannelHandlerContext ctx, MonoSink<Void> done, boolean single) {
        this.exchange = exchange;
        this.ctx = ctx;
        this.done = done;
        this.single = single;
        this.signals = new LoopSignals(ctx.executor());
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
        subscription.request(single ? Long.MAX_VALUE : 1);
    }

    @Override
    protected void hookOnNext(DataBuffer buffer) {
        signals.run(() -> next(NettyDataBufferFactory.toByteBuf(buffer)));
    }

    @Override
    protected void hookOnComplete() {
        signals.run(this::complete);
    }

    @Override
    protected void hookOnError(Throwable failure) {
        signals.run(() -> {
            if (finish()) {
                done.error(failure);
            }
        });
    }

    /** The connection can take more: the stream waiting for it asks for its next buffer. */
    void writable() {
        if (waitingForWritability && ctx.channel().isWritable()) {
            waitingForWritability = false;
            request(1);
        }
    }

    /**
     * The client went away: the body is cancelled and the answer ends quietly, as Reactor Netty ends a write whose
     * client has gone (the execution's own metrics count it as the client's leaving).
     */
    void clientGone() {
        signals.run(() -> {
            if (finish()) {
                cancel();
                done.success();
            }
        });
    }

    private void next(ByteBuf chunk) {
        if (finished) {
            chunk.release();
            return;
        }
        if (single) {
            if (pending != null) {
                pending.release();
            }
            pending = chunk;
            return;
        }
        if (!exchange.headSent()) {
            ctx.write(exchange.head(null));
        }
        ctx.write(new DefaultHttpContent(chunk));
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(flush);
        }
        if (ctx.channel().isWritable()) {
            request(1);
        } else {
            waitingForWritability = true;
        }
    }

    private void complete() {
        ByteBuf content = pending;
        pending = null;
        if (!finish()) {
            if (content != null) {
                content.release();
            }
            return;
        }
        if (!single && !exchange.headSent()) {
            ctx.write(exchange.head(null));
        }
        Object last = single
                ? exchange.head(content == null ? Unpooled.EMPTY_BUFFER : content)
                : LastHttpContent.EMPTY_LAST_CONTENT;
        ctx.writeAndFlush(last).addListener((ChannelFutureListener) future -> {
            if (future.isSuccess()) {
                done.success();
            } else {
                done.error(future.cause());
            }
        });
    }

    /** Marks the answer finished; false when it already was. Releases a single buffer not yet written. */
    private boolean finish() {
        if (finished) {
            return false;
        }
        finished = true;
        if (pending != null) {
            pending.release();
            pending = null;
        }
        return true;
    }

    private void flush() {
        flushScheduled = false;
        ctx.flush();
    }
}
