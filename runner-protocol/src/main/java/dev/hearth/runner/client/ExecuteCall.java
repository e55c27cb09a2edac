package dev.hearth.runner.client;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import dev.hearth.runner.client.RunnerConnections.RunnerAddress;
import dev.hearth.runner.protocol.ExecutionJson;
import dev.hearth.runner.protocol.Frame;
import dev.hearth.runner.protocol.FrameDecoder;
import dev.hearth.runner.protocol.RunnerProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * One execution on a pooled runner connection ({@link RunnerConnections}): sends {@code POST /v1/execute} with the
 * request's body, and hands the framed answer to its subscriber as {@link ExecutionEvent}s, as many as it asks for.
 *
 * <p>Everything but {@link #request} and {@link #cancel} runs on the connection's loop; those two hop there when
 * called elsewhere. Reading pauses while {@value #PAUSE_AT} events wait for demand, and resumes once they are taken.
 * The connection goes back to the pool the moment the answer's last byte is in (events may still wait for their
 * subscriber); a call that is cancelled, fails or whose answer is not whole closes it, which the runner reads as a
 * cancelled execution. Every buffer is released once: handed on, or released here.
 */
final class ExecuteCall implements Subscription {

    /** Events waiting for demand at which the connection stops reading. */
    private static final int PAUSE_AT = 16;
    /** How much of a refusal's body is kept for its message. */
    private static final int MAX_REFUSAL_BYTES = 64 * 1024;

    private final CoreSubscriber<? super ExecutionEvent> actual;
    private final RunnerConnections connections;
    private final RunnerAddress runner;
    private final HttpHeaders headers;
    private final Publisher<ByteBuf> body;
    private final EventLoop loop;
    private final ArrayDeque<ExecutionEvent> waiting = new ArrayDeque<>();
    private volatile boolean cancelled;

    private Channel channel;
    private BodyWriter writer;
    private long demand;
    private boolean draining;
    /** The answer's status: 0 before its head, then 200 (frames follow) or a refusal. */
    private int status;
    private boolean keepAlive;
    private FrameDecoder decoder;
    private ByteBuf refusal;
    private boolean endFrame;
    /** The answer is whole and good: the subscriber completes once it has taken what waits. */
    private boolean complete;
    /** The subscriber has had its last signal, or cancelled: nothing more reaches it. */
    private boolean done;

    private ExecuteCall(CoreSubscriber<? super ExecutionEvent> actual, RunnerConnections connections,
                        RunnerAddress runner, HttpHeaders headers, Publisher<ByteBuf> body) {
        this.actual = actual;
        this.connections = connections;
        this.runner = runner;
        this.headers = headers;
        this.body = body;
        this.loop = connections.loop(runner);
    }

    /** The call as a publisher: each subscription runs it once. */
    static Flux<ExecutionEvent> of(RunnerConnections connections, RunnerTarget target, String requestHeader,
                                   Publisher<ByteBuf> body) {
        RunnerAddress runner = RunnerAddress.of(target);
        return new Flux<>() {
            @Override
            public void subscribe(CoreSubscriber<? super ExecutionEvent> actual) {
                ExecuteCall call = new ExecuteCall(actual, connections, runner, headers(runner, target, requestHeader),
                        body);
                actual.onSubscribe(call);
                call.onLoop(call::start);
            }
        };
    }

    private static HttpHeaders headers(RunnerAddress runner, RunnerTarget target, String requestHeader) {
        HttpHeaders headers = new DefaultHttpHeaders()
                .set(HttpHeaderNames.HOST, runner.hostHeader())
                .set(RunnerProtocol.PROTOCOL_HEADER, RunnerProtocol.VERSION)
                .set(RunnerProtocol.SECRET_HEADER, target.secret())
                .set(RunnerProtocol.REQUEST_HEADER, requestHeader);
        if (target.fencingToken() > 0) {
            headers.set(RunnerProtocol.TOKEN_HEADER, target.fencingToken());
        }
        return headers;
    }

    @Override
    public void request(long n) {
        if (!Operators.validate(n)) {
            return;
        }
        onLoop(() -> {
            demand = Operators.addCap(demand, n);
            drain();
        });
    }

    @Override
    public void cancel() {
        cancelled = true;
        onLoop(() -> {
            if (!done) {
                done = true;
                end();
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

    private void start() {
        if (cancelled) {
            return;
        }
        connections.acquire(loop, runner, this::connected);
    }

    private void connected(Channel connection, Throwable failure) {
        if (failure != null) {
            fail(failure);
            return;
        }
        if (cancelled) {
            // Nothing was sent on it: the connection is as good as it was.
            connections.release(connection);
            return;
        }
        channel = connection;
        channel.pipeline().get(RunnerConnection.class).attach(this);
        writer = new BodyWriter();
        body.subscribe(writer);
    }

    /** What the runner sent: the answer's head, then its content. Takes ownership of {@code msg}. */
    void onInbound(Object msg) {
        try {
            if (msg instanceof DecoderResultProvider decoded && decoded.decoderResult().isFailure()) {
                Throwable cause = decoded.decoderResult().cause();
                fail(new TruncatedExecutionException("runner answer is not valid HTTP: " + cause, cause));
                return;
            }
            if (msg instanceof HttpResponse response) {
                head(response);
            }
            if (msg instanceof HttpContent content && status != 0) {
                content(content.content());
                if (msg instanceof LastHttpContent) {
                    answered();
                }
            }
        } catch (RuntimeException invalid) {
            fail(invalid);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void head(HttpResponse response) {
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            return;
        }
        status = response.status().code();
        keepAlive = HttpUtil.isKeepAlive(response);
        if (status == 200) {
            decoder = new FrameDecoder(ByteBufAllocator.DEFAULT);
        } else {
            refusal = ByteBufAllocator.DEFAULT.heapBuffer();
        }
    }

    private void content(ByteBuf content) {
        if (!content.isReadable() || done) {
            return;
        }
        if (refusal != null) {
            refusal.writeBytes(content, Math.min(content.readableBytes(), MAX_REFUSAL_BYTES - refusal.readableBytes()));
            return;
        }
        List<Frame> frames = decoder.decode(content.retain());
        for (int i = 0; i < frames.size(); i++) {
            try {
                emit(frames.get(i));
            } catch (RuntimeException invalid) {
                // A head or end that is not JSON: the frames after it are released here, the call fails.
                for (int after = i + 1; after < frames.size(); after++) {
                    frames.get(after).payload().release();
                }
                throw invalid;
            }
        }
    }

    private void emit(Frame frame) {
        if (done) {
            frame.payload().release();
            return;
        }
        ExecutionEvent event = event(frame);
        endFrame |= event instanceof ExecutionEvent.End;
        waiting.add(event);
        drain();
        if (waiting.size() >= PAUSE_AT && channel != null) {
            channel.config().setAutoRead(false);
        }
    }

    private static ExecutionEvent event(Frame frame) {
        if (frame.type() == Frame.BODY) {
            return new ExecutionEvent.Body(frame.payload());
        }
        try {
            byte[] json = ByteBufUtil.getBytes(frame.payload());
            return frame.type() == Frame.HEAD
                    ? new ExecutionEvent.Head(ExecutionJson.readHead(json))
                    : new ExecutionEvent.End(ExecutionJson.readEnd(json));
        } finally {
            frame.payload().release();
        }
    }

    /** The answer's last byte is in: the connection is free, and the answer is whole or not. */
    private void answered() {
        boolean whole = refusal != null || (endFrame && decoder.atFrameBoundary());
        Channel free = channel;
        channel = null;
        free.pipeline().get(RunnerConnection.class).detach();
        if (whole && keepAlive && writer.sent() && !done) {
            connections.release(free);
        } else {
            // A broken answer, an answer before the whole request was read, or a call already over: not reused.
            writer.stop();
            free.close();
        }
        if (refusal != null) {
            fail(RunnerResponses.callException(status, ByteBufUtil.getBytes(refusal)));
        } else if (whole) {
            complete = true;
            drain();
        } else {
            fail(new TruncatedExecutionException("runner response ended without its END frame (pod or connection lost)"));
        }
    }

    /** The connection closed before the answer was whole. */
    void onConnectionLost() {
        channel = null;
        fail(new TruncatedExecutionException(status == 0
                ? "runner connection closed before its answer (pod or connection lost)"
                : "runner response ended without its END frame (pod or connection lost)"));
    }

    /** The connection failed under the call (it is closed already). */
    void onFailure(Throwable cause) {
        channel = null;
        fail(lost(cause));
    }

    /**
     * A connection's I/O failure (a reset, a write to a closed connection) is the pod or the connection lost mid-call,
     * as a close is; anything else is passed on as it is.
     */
    private static Throwable lost(Throwable cause) {
        return cause instanceof IOException
                ? new TruncatedExecutionException("runner connection failed (pod or connection lost): " + cause, cause)
                : cause;
    }

    /** Ends the call with {@code error}, ahead of events still waiting (they are released). */
    private void fail(Throwable error) {
        if (done) {
            return;
        }
        done = true;
        end();
        actual.onError(error);
    }

    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (demand > 0 && !waiting.isEmpty() && !done) {
                if (demand != Long.MAX_VALUE) {
                    demand--;
                }
                actual.onNext(waiting.poll());
            }
            if (done) {
                return;
            }
            if (complete && waiting.isEmpty()) {
                done = true;
                end();
                actual.onComplete();
            } else if (channel != null && waiting.size() < PAUSE_AT && !channel.config().isAutoRead()) {
                channel.config().setAutoRead(true);
            }
        } finally {
            draining = false;
        }
    }

    /** Frees all the call holds; a connection it still has is closed (the runner cancels the execution). */
    private void end() {
        ExecutionEvent event;
        while ((event = waiting.poll()) != null) {
            if (event instanceof ExecutionEvent.Body chunk) {
                chunk.chunk().release();
            }
        }
        if (decoder != null) {
            decoder.release();
        }
        if (refusal != null) {
            refusal.release();
            refusal = null;
        }
        if (writer != null) {
            writer.stop();
        }
        if (channel != null) {
            channel.pipeline().get(RunnerConnection.class).detach();
            channel.close();
            channel = null;
        }
    }

    /**
     * Writes the request as its body arrives. A body of one buffer (an execution's, read whole from its params) goes
     * with the head as one write with its length; a longer one streams chunked, each chunk asked for once the one
     * before is written.
     */
    private final class BodyWriter implements CoreSubscriber<ByteBuf> {

        private Subscription subscription;
        private ByteBuf first;
        private boolean headSent;
        private boolean finished;
        private boolean stopped;

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
                    fail(error);
                }
            });
        }

        @Override
        public void onComplete() {
            onLoop(this::complete);
        }

        private void next(ByteBuf chunk) {
            if (stopped || channel == null) {
                chunk.release();
                return;
            }
            if (!headSent && first == null) {
                first = chunk;
                return;
            }
            if (!headSent) {
                headSent = true;
                HttpHeaders chunked = headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                channel.write(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                        RunnerProtocol.EXECUTE_PATH, chunked));
                channel.write(new DefaultHttpContent(first), channel.voidPromise());
                first = null;
            }
            channel.writeAndFlush(new DefaultHttpContent(chunk)).addListener(written -> {
                if (written.isSuccess()) {
                    subscription.request(1);
                } else {
                    onLoop(() -> fail(lost(written.cause())));
                }
            });
        }

        private void complete() {
            if (stopped || channel == null) {
                stop();
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
                    onLoop(() -> fail(lost(written.cause())));
                }
            });
        }

        /** The call is over: no more of the body is wanted. */
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
    }
}
