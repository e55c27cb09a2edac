package dev.hearth.gateway.execution;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

import dev.hearth.gateway.execution.response.ResponseSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * One execution request on its connection, from its head to its answer's last byte: the request's head and
 * {@link RequestBody}, and the answer as a {@link ResponseSink} whose head is built here and whose body a
 * {@link ResponseWriter} writes. Owned by its {@link ExecutionConnection}; confined to the connection's event loop.
 */
final class ExecutionExchange implements ResponseSink {

    /**
     * What a reader still reading the body hears once the answer is sent. Shared and without a stack trace: every
     * exchange ends its body with it, and almost never is anyone still reading.
     */
    private static final IllegalStateException ANSWERED = new AnsweredBeforeRead();

    private final ChannelHandlerContext ctx;
    private final ExecutionConnection connection;
    private final HttpRequest request;
    private final ExecutionPath.Match match;
    private final NettyDataBufferFactory buffers;
    private final RequestBody body;
    private final LoopSignals answerSignals;
    /** HTTP/1.1 keep-alive asked for; an HTTP/1.0 client gets its answer delimited by the connection's close. */
    private final boolean keepAlive;
    private final HttpHeaders headers = new DefaultHttpHeaders();
    private HttpResponseStatus status = HttpResponseStatus.OK;
    private boolean headSent;
    private boolean continued;
    private boolean reading = true;
    private boolean answered;
    private boolean broken;
    private Disposable answering;
    private ResponseWriter writer;

    ExecutionExchange(ChannelHandlerContext ctx, ExecutionConnection connection, HttpRequest request,
                      ExecutionPath.Match match) {
        this.ctx = ctx;
        this.connection = connection;
        this.request = request;
        this.match = match;
        this.buffers = new NettyDataBufferFactory(ctx.alloc());
        this.body = new RequestBody(ctx.executor(), buffers, this::continueIfExpected, connection::readingChanged);
        this.answerSignals = new LoopSignals(ctx.executor());
        this.keepAlive = request.protocolVersion().equals(HttpVersion.HTTP_1_1) && HttpUtil.isKeepAlive(request);
    }

    HttpRequest request() {
        return request;
    }

    ExecutionPath.Match match() {
        return match;
    }

    RequestBody body() {
        return body;
    }

    int status() {
        return status.code();
    }

    boolean headSent() {
        return headSent;
    }

    /** True while the request's body is still arriving. */
    boolean reading() {
        return reading;
    }

    boolean wantsMore() {
        return body.wantsMore();
    }

    /** Subscribes the route's answer; the exchange ends when it has and the request has been read to its end. */
    void answer(Mono<Void> answer) {
        answering = answer.subscribe(null,
                failure -> answerSignals.run(() -> broke(failure)),
                () -> answerSignals.run(this::answered));
    }

    /** A part of the request's body, as the connection decoded it. */
    void inbound(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            broken = true;
            body.abort(new IllegalArgumentException("malformed request body", content.decoderResult().cause()));
            reading = false;
            ctx.close();
            return;
        }
        body.offer(content.content());
        if (content instanceof LastHttpContent) {
            reading = false;
            body.end();
            endIfDone();
        }
    }

    /** The connection closed: whatever the answer still waits for is cancelled, every buffer it held released. */
    void connectionClosed() {
        reading = false;
        broken = true;
        body.abort(new IllegalStateException("the client closed the connection"));
        if (writer != null) {
            writer.clientGone();
        } else if (answering != null) {
            answering.dispose();
        }
    }

    void writable() {
        if (writer != null) {
            writer.writable();
        }
    }

    @Override
    public DataBufferFactory buffers() {
        return buffers;
    }

    @Override
    public void header(String name, String value) {
        headers.set(name, value);
    }

    @Override
    public Mono<Void> send(int status, Publisher<DataBuffer> content) {
        return Mono.create(done -> {
            this.status = HttpResponseStatus.valueOf(status);
            ResponseWriter sending = new ResponseWriter(this, ctx, done, content instanceof Mono);
            done.onCancel(sending::clientGone);
            answerSignals.run(() -> writer = sending);
            content.subscribe(sending);
        });
    }

    /**
     * The answer's head: with {@code content} the whole answer in one message, its length given; without, the head
     * of a stream, chunked unless its length is known (or the client speaks HTTP/1.0). Marks the head sent.
     */
    HttpResponse head(ByteBuf content) {
        headSent = true;
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (content != null) {
            if (!headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                headers.setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            }
            return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content, headers,
                    EmptyHttpHeaders.INSTANCE);
        }
        boolean http11 = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
        if (!headers.contains(HttpHeaderNames.CONTENT_LENGTH) && http11) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, headers);
    }

    /** A client that sent {@code Expect: 100-continue} is told to send its body once someone reads it. */
    private void continueIfExpected() {
        if (!continued && !headSent && HttpUtil.is100ContinueExpected(request)) {
            continued = true;
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
    }

    private void answered() {
        answered = true;
        body.abort(ANSWERED);
        endIfDone();
    }

    /** The answer failed after its head was sent: ending the connection is all that is left to tell the client. */
    private void broke(Throwable failure) {
        answered = true;
        broken = true;
        body.abort(ANSWERED);
        ctx.close();
    }

    private void endIfDone() {
        if (answered && !reading) {
            connection.ended(this, keepAlive && !broken);
        }
    }

    private static final class AnsweredBeforeRead extends IllegalStateException {

        AnsweredBeforeRead() {
            super("the execution was answered before its body was read");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
