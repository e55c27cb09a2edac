package dev.hearth.runner.client;

import dev.hearth.runner.client.RunnerConnections.RunnerAddress;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a connection to a runner: passes what the runner sends to the execution the connection is
 * serving, or, while it waits in the pool, closes on anything (a runner never speaks unasked) and leaves the pool when
 * the runner closes it. Runs on the connection's loop only.
 */
final class RunnerConnection extends ChannelInboundHandlerAdapter {

    private final RunnerConnections pool;
    private RunnerAddress runner;
    private ExecuteCall call;

    RunnerConnection(RunnerConnections pool) {
        this.pool = pool;
    }

    void runner(RunnerAddress address) {
        this.runner = address;
    }

    RunnerAddress runner() {
        return runner;
    }

    /** From now on, what arrives goes to {@code serving}. */
    void attach(ExecuteCall serving) {
        this.call = serving;
    }

    /** The call is done with the connection: it goes back to the pool or is closed, as the caller decides. */
    void detach() {
        this.call = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ExecuteCall serving = call;
        if (serving == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        serving.onInbound(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ExecuteCall serving = call;
        call = null;
        if (serving != null) {
            serving.onConnectionLost();
        } else {
            pool.closed(ctx.channel(), runner);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ExecuteCall serving = call;
        call = null;
        ctx.close();
        if (serving != null) {
            serving.onFailure(cause);
        }
    }
}
