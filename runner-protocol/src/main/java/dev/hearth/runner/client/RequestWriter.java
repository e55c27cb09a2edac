package dev.hearth.runner.client;

import java.util.function.Consumer;

import org.reactivestreams.Subscription;

import dev.hearth.runner.protocol.RunnerProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import reactor.core.CoreSubscriber;

/**
 * Writes an {@link ExecuteCall}'s request onto its connection as the body arrives. A body of one buffer (an
 * execution's, read whole from its params) goes with the head as one write with its length; a longer one streams
 * chunked, each chunk asked for once the one before is written. Its state is touched on the connection's loop only;
 * the body's signals hop there.
 */
final class RequestWriter implements CoreSubscriber<ByteBuf> {

    private final Channel channel;
    private final EventLoop loop;
    private final HttpHeaders headers;
    private final Consumer<Throwable> failed;
    private Subscription subscription;
    private ByteBuf first;
    private boolean headSent;
    private boolean finished;
    private boolean stopped;

    /**
     * @param failed told, on the loop, when the body fails or a write does (the connection's I/O error as it is)
     */
    RequestWriter(Channel channel, HttpHeaders headers, Consumer<Throwable> failed) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.headers = headers;
        this.failed = failed;
    }

    /** True once the whole request is written (or on its way). */
    boolean sent() {
        return finished;
    }

    @Override
    public void onSubscribe(Subscription s) {
        subscription = s;
        // A body that subscribes late (off the loop) may find the call already over.
        onLoop(() -> {
            if (stopped) {
                s.cancel();
            } else {
                s.request(2);
            }
        });
    }

    @Override
    public void onNext(ByteBuf chunk) {
        onLoop(() -> next(chunk));
    }

    @Override
    public void onError(Throwable error) {
        onLoop(() -> {
            if (!stopped) {
                failed.accept(error);
            }
        });
    }

    @Override
    public void onComplete() {
        onLoop(this::complete);
    }

    /** The call is over: no more of the body is wanted, and what is held is released. */
    void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (first != null) {
            first.release();
            first = null;
        }
        if (subscription != null && !finished) {
            subscription.cancel();
        }
    }

    private void next(ByteBuf chunk) {
        if (stopped) {
            chunk.release();
            return;
        }
        if (!headSent && first == null) {
            first = chunk;
            return;
        }
        if (!headSent) {
            headSent = true;
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            channel.write(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, RunnerProtocol.EXECUTE_PATH,
                    headers));
            channel.write(new DefaultHttpContent(first), channel.voidPromise());
            first = null;
        }
        channel.writeAndFlush(new DefaultHttpContent(chunk)).addListener(written -> {
            if (written.isSuccess()) {
                subscription.request(1);
            } else {
                onLoop(() -> failed.accept(written.cause()));
            }
        });
    }

    private void complete() {
        if (stopped) {
            return;
        }
        finished = true;
        Object last;
        if (headSent) {
            last = LastHttpContent.EMPTY_LAST_CONTENT;
        } else {
            ByteBuf content = first != null ? first : Unpooled.EMPTY_BUFFER;
            first = null;
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            last = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, RunnerProtocol.EXECUTE_PATH,
                    content, headers, DefaultHttpHeaders.EMPTY_HEADERS);
        }
        channel.writeAndFlush(last).addListener(written -> {
            if (!written.isSuccess()) {
                onLoop(() -> failed.accept(written.cause()));
            }
        });
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}
