package dev.hearth.runner.client;

import java.io.IOException;
import java.util.ArrayDeque;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import dev.hearth.runner.client.RunnerConnections.RunnerAddress;
import dev.hearth.runner.protocol.RunnerProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * One execution on a pooled runner connection ({@link RunnerConnections}): sends {@code POST /v1/execute} with the
 * request's body ({@link RequestWriter}), and hands the framed answer ({@link RunnerAnswer}) to its subscriber as
 * {@link ExecutionEvent}s, as many as it asks for. This class owns the call's course: the connection, the demand,
 * the events waiting for it, and the one way the call ends.
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

    private final CoreSubscriber<? super ExecutionEvent> actual;
    private final RunnerConnections connections;
    private final RunnerAddress runner;
    private final HttpHeaders headers;
    private final Publisher<ByteBuf> body;
    private final EventLoop loop;
    private final RunnerAnswer answer = new RunnerAnswer();
    private final ArrayDeque<ExecutionEvent> waiting = new ArrayDeque<>();
    private volatile boolean cancelled;

    private Channel channel;
    private RequestWriter writer;
    private long demand;
    private boolean draining;
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
        writer = new RequestWriter(channel, headers, cause -> fail(lost(cause)));
        body.subscribe(writer);
    }

    /** What the runner sent: the answer's head, then its content. Takes ownership of {@code msg}. */
    void onInbound(Object msg) {
        try {
            if (msg instanceof HttpObject part && answer.read(part, this::emit)) {
                answered();
            }
        } catch (RuntimeException invalid) {
            fail(invalid);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void emit(ExecutionEvent event) {
        if (done) {
            release(event);
            return;
        }
        waiting.add(event);
        drain();
        if (waiting.size() >= PAUSE_AT && channel != null) {
            channel.config().setAutoRead(false);
        }
    }

    /** The answer's last byte is in: the connection is free, and the answer is whole or not. */
    private void answered() {
        Channel free = channel;
        channel = null;
        free.pipeline().get(RunnerConnection.class).detach();
        if (answer.whole() && answer.keepAlive() && writer.sent() && !done) {
            connections.release(free);
        } else {
            // A broken answer, an answer before the whole request was read, or a call already over: not reused.
            writer.stop();
            free.close();
        }
        RuntimeException failure = answer.failure();
        if (failure != null) {
            fail(failure);
        } else {
            complete = true;
            drain();
        }
    }

    /** The connection closed before the answer was whole. */
    void onConnectionLost() {
        channel = null;
        fail(new TruncatedExecutionException(answer.started()
                ? "runner response ended without its END frame (pod or connection lost)"
                : "runner connection closed before its answer (pod or connection lost)"));
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
            release(event);
        }
        answer.release();
        if (writer != null) {
            writer.stop();
        }
        if (channel != null) {
            channel.pipeline().get(RunnerConnection.class).detach();
            channel.close();
            channel = null;
        }
    }

    private static void release(ExecutionEvent event) {
        if (event instanceof ExecutionEvent.Body chunk) {
            chunk.chunk().release();
        }
    }
}
