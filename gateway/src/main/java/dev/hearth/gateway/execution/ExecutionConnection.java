package dev.hearth.gateway.execution;

import java.util.ArrayDeque;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import reactor.netty.NettyPipeline;

/**
 * One connection of the gateway's HTTP server, seen just after its HTTP codec and before Reactor Netty's own
 * handling: execution requests are answered here, on plain Netty ({@link ExecutionExchange}); every other request
 * passes on to Reactor Netty and WebFlux untouched. An execution costs the gateway no Reactor Netty connection
 * operations, inbound flux or send operator (bench/RESULTS.md, "The CPU a request costs each process").
 *
 * <p>Answers keep their requests' order on a connection that pipelines them: a request that comes while an execution
 * is being answered waits here (and no more is read) until that answer is written, and an execution
 * that comes while Reactor Netty still answers an earlier request waits until that answer's last part has passed
 * by. One per connection; all its methods run on the connection's event loop.
 */
final class ExecutionConnection extends ChannelDuplexHandler {

    static final String NAME = "hearth.executions";

    private final ExecutionRoute route;
    private final ExecutionsInFlight inFlight;
    /** Messages that arrived while they could not be served yet, in order. */
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private ExecutionExchange exchange;
    /** Requests handed on to Reactor Netty whose answers have not ended. */
    private int passedOn;
    /** A close asked for while the context drains, put off until the execution in flight is answered. */
    private ChannelPromise closeAfterExchange;
    private boolean draining;

    ExecutionConnection(ExecutionRoute route, ExecutionsInFlight inFlight) {
        this.route = route;
        this.inFlight = inFlight;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!held.isEmpty() || mustWait(msg)) {
            held.add(msg);
            readingChanged();
            return;
        }
        dispatch(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // Only Reactor Netty's answers pass here: an exchange writes from this handler's place, past it.
        boolean lastAnswered = msg instanceof LastHttpContent && !isInformational(msg) && passedOn > 0
                && --passedOn == 0 && !held.isEmpty();
        ctx.write(msg, promise);
        if (lastAnswered) {
            // Once that answer is written, not from inside this write: the encoder below is still in it.
            if (promise.isVoid()) {
                ctx.executor().execute(this::drainHeld);
            } else {
                promise.addListener(written -> drainHeld());
            }
        }
    }

    /**
     * Closes asked for from the pipeline (Reactor Netty's graceful shutdown closes every connection without a request
     * of its own) wait, while the context drains, for the execution this connection is answering.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (exchange != null && closeAfterExchange == null && inFlight.draining()) {
            closeAfterExchange = promise;
            return;
        }
        ctx.close(promise);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.writable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            ExecutionExchange closed = exchange;
            exchange = null;
            closed.connectionClosed();
            inFlight.closed();
        }
        releaseHeld();
        if (closeAfterExchange != null) {
            closeAfterExchange.trySuccess();
            closeAfterExchange = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (exchange != null) {
            // The connection broke under an execution: closing it cancels the answer and frees what it held.
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /** The exchange's answer is written and its request read to the end. */
    void ended(ExecutionExchange ended, boolean keepAlive) {
        if (exchange != ended) {
            return;
        }
        exchange = null;
        inFlight.closed();
        if (closeAfterExchange != null) {
            ChannelPromise close = closeAfterExchange;
            closeAfterExchange = null;
            ctx.close(close);
            return;
        }
        if (!keepAlive) {
            ctx.close();
            return;
        }
        drainHeld();
        readingChanged();
    }

    /**
     * Asks the connection for more when this handler is the one reading: for an exchange whose body is wanted, or
     * between requests when no answer of Reactor Netty's is pending. Reactor Netty's server reads only when asked
     * (its connections do not read on their own), and it asks only for the requests it serves; a read asked twice
     * is one read.
     */
    void readingChanged() {
        if (!held.isEmpty()) {
            return;
        }
        if (exchange != null ? exchange.reading() && exchange.wantsMore() : passedOn == 0) {
            ctx.read();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            readingChanged();
        }
        ctx.fireChannelReadComplete();
    }

    private boolean mustWait(Object msg) {
        if (exchange != null) {
            return !exchange.reading();
        }
        return passedOn > 0 && msg instanceof HttpRequest request && match(request) != null;
    }

    private void dispatch(Object msg) {
        if (exchange != null) {
            exchange.inbound((HttpContent) msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            ExecutionPath.Match match = match(request);
            if (match != null) {
                ExecutionExchange started = new ExecutionExchange(ctx, this, request, match);
                exchange = started;
                inFlight.opened();
                // Reactor Netty's idle timeout (server.netty.idle-timeout; unset by default) watches a connection
                // between its own requests and is taken off when one arrives; it would close a long execution too.
                // Off for this connection until Reactor Netty's next answer puts it back.
                if (ctx.pipeline().get(NettyPipeline.IdleTimeoutHandler) != null) {
                    ctx.pipeline().remove(NettyPipeline.IdleTimeoutHandler);
                }
                route.serve(started);
                if (msg instanceof HttpContent content) {
                    started.inbound(content);
                }
                return;
            }
            passedOn++;
        }
        ctx.fireChannelRead(msg);
    }

    private void drainHeld() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (!held.isEmpty() && !mustWait(held.peek()) && ctx.channel().isActive()) {
                dispatch(held.poll());
            }
        } finally {
            draining = false;
        }
        readingChanged();
    }

    private void releaseHeld() {
        Object msg;
        while ((msg = held.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The execution a well-formed request names, or null for every other request. */
    private static ExecutionPath.Match match(HttpRequest request) {
        return HttpMethod.POST.equals(request.method()) && request.decoderResult().isSuccess()
                ? ExecutionPath.match(request.uri())
                : null;
    }

    private static boolean isInformational(Object msg) {
        return msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }
}
