package dev.hearth.runner.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.NetUtil;
import reactor.netty.resources.LoopResources;

/**
 * The connections executions travel on: plain Netty channels to runners, kept alive and pooled per event loop and
 * per runner, so a call takes a connection that lives on its own thread and needs no lock to find one.
 *
 * <p>Why not Reactor Netty's client, which the other runner calls use: an execution is the hot path, and most of
 * the client's cost there was its exchange's bookkeeping and its connection pool (a profile put 12 % of the event
 * loop in returning connections alone). An execution needs one request, a framed answer and a connection back.
 *
 * <p>Which loop: the caller's own when it runs on one of the group's loops (the gateway's server loops are the same
 * group, so an execution is served on one thread from the client's request to the runner's answer), else the next.
 * There is no cap on connections: each in-flight execution holds one, and in-flight executions are bounded by the
 * server's own connections. An idle connection is closed after {@code maxIdle}, or when its runner closes it.
 */
public final class RunnerConnections {

    private static final long SWEEP_MINUTES = 1;

    private final EventLoopGroup group;
    private final EventLoop[] eventLoops;
    private final LoopResources loops;
    private final Bootstrap bootstrap;
    private final long maxIdleNanos;
    private final Map<EventLoop, LoopConnections> byLoop = new ConcurrentHashMap<>();
    /** Counted when connections open and close (not per call), for gauges and tests. */
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong closed = new AtomicLong();

    /**
     * @param loops          whose client loops the connections live on (colocated: a caller on one of them keeps it)
     * @param connectTimeout how long opening a connection may take
     * @param maxIdle        how long an unused connection is kept
     */
    public RunnerConnections(LoopResources loops, Duration connectTimeout, Duration maxIdle) {
        this.loops = loops;
        this.group = loops.onClient(true);
        List<EventLoop> all = new ArrayList<>();
        group.forEach(executor -> all.add((EventLoop) executor));
        this.eventLoops = all.toArray(EventLoop[]::new);
        this.maxIdleNanos = maxIdle.toNanos();
        this.bootstrap = new Bootstrap()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new RunnerConnection(RunnerConnections.this));
                    }
                });
    }

    /** Connections opened to runners since this pool was made. */
    public long opened() {
        return opened.get();
    }

    /** Connections to runners open now, in use or idle. */
    public long open() {
        return opened.get() - closed.get();
    }

    /**
     * The loop a call to {@code runner} starting on this thread runs on: this thread's, when it is one of the loops;
     * else always the same one for the runner, so that callers off the loops (tests, a scheduler's thread) reuse
     * connections too.
     */
    EventLoop loop(RunnerAddress runner) {
        for (EventLoop loop : eventLoops) {
            if (loop.inEventLoop()) {
                return loop;
            }
        }
        return eventLoops[Math.floorMod(runner.hashCode(), eventLoops.length)];
    }

    /**
     * Hands {@code then} an open connection to {@code runner} on {@code loop}, or why there is none. Call on
     * {@code loop}; {@code then} runs on it.
     */
    void acquire(EventLoop loop, RunnerAddress runner, BiConsumer<Channel, Throwable> then) {
        Channel idle = connections(loop).take(runner);
        if (idle != null) {
            then.accept(idle, null);
            return;
        }
        SocketAddress address;
        Bootstrap connecting;
        try {
            address = runner.socketAddress();
            connecting = bootstrap.clone(loop).channelFactory(channelFactory(runner));
            if (!runner.isSocket()) {
                connecting.option(ChannelOption.TCP_NODELAY, true);
            }
        } catch (RuntimeException | UnknownHostException e) {
            then.accept(null, e);
            return;
        }
        connecting.connect(address).addListener(done -> {
            Channel channel = ((io.netty.channel.ChannelFuture) done).channel();
            if (done.isSuccess()) {
                opened.incrementAndGet();
                channel.closeFuture().addListener(gone -> closed.incrementAndGet());
                channel.pipeline().get(RunnerConnection.class).runner(runner);
                then.accept(channel, null);
            } else {
                then.accept(null, done.cause());
            }
        });
    }

    /** Keeps {@code channel}, done with a whole exchange, for the next call to its runner. Call on its loop. */
    void release(Channel channel) {
        RunnerConnection connection = channel.pipeline().get(RunnerConnection.class);
        if (connection == null || !channel.isActive()) {
            channel.close();
            return;
        }
        connections(channel.eventLoop()).keep(connection.runner(), channel, System.nanoTime());
    }

    /** Forgets an idle {@code channel} its runner closed. Call on its loop. */
    void closed(Channel channel, RunnerAddress runner) {
        LoopConnections connections = byLoop.get(channel.eventLoop());
        if (connections != null && runner != null) {
            connections.forget(runner, channel);
        }
    }

    private LoopConnections connections(EventLoop loop) {
        LoopConnections connections = byLoop.get(loop);
        if (connections == null) {
            connections = byLoop.computeIfAbsent(loop, LoopConnections::new);
        }
        return connections;
    }

    /** The loops' own transport's channels (epoll's where native, NIO's else), as Reactor Netty's client opens. */
    private ChannelFactory<Channel> channelFactory(RunnerAddress runner) {
        return runner.isSocket()
                ? () -> loops.onChannel(DomainSocketChannel.class, group)
                : () -> loops.onChannel(SocketChannel.class, group);
    }

    /** A runner's address as connections are pooled by it: the target without its secret and token. */
    record RunnerAddress(String host, int port) {

        static RunnerAddress of(RunnerTarget target) {
            return new RunnerAddress(target.host(), target.port());
        }

        boolean isSocket() {
            return RunnerTarget.isSocket(host);
        }

        /**
         * Where to connect. Pod addresses are IP literals or socket paths (every driver gives one), parsed without a
         * lookup; a host name (a configured pod host) is resolved by the JDK when a connection opens.
         */
        SocketAddress socketAddress() throws UnknownHostException {
            if (isSocket()) {
                return new DomainSocketAddress(RunnerTarget.socketPath(host));
            }
            byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
            return new InetSocketAddress(ip != null ? InetAddress.getByAddress(host, ip) : InetAddress.getByName(host), port);
        }

        /** The {@code Host} header a call carries. */
        String hostHeader() {
            if (isSocket()) {
                return "localhost";
            }
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** One loop's idle connections, touched only on that loop: newest first, so the warmest is reused. */
    private final class LoopConnections {

        private final EventLoop loop;
        private final Map<RunnerAddress, ArrayDeque<Idle>> idle = new HashMap<>();
        private boolean sweeping;

        LoopConnections(EventLoop loop) {
            this.loop = loop;
        }

        Channel take(RunnerAddress runner) {
            ArrayDeque<Idle> kept = idle.get(runner);
            while (kept != null && !kept.isEmpty()) {
                Channel channel = kept.pollFirst().channel();
                if (channel.isActive()) {
                    return channel;
                }
                channel.close();
            }
            return null;
        }

        void keep(RunnerAddress runner, Channel channel, long now) {
            idle.computeIfAbsent(runner, any -> new ArrayDeque<>()).addFirst(new Idle(channel, now));
            if (!sweeping) {
                sweeping = true;
                loop.scheduleAtFixedRate(this::sweep, SWEEP_MINUTES, SWEEP_MINUTES, TimeUnit.MINUTES);
            }
        }

        void forget(RunnerAddress runner, Channel channel) {
            ArrayDeque<Idle> kept = idle.get(runner);
            if (kept != null) {
                kept.removeIf(entry -> entry.channel() == channel);
                if (kept.isEmpty()) {
                    idle.remove(runner);
                }
            }
        }

        /** Closes what has been idle longer than the limit: the oldest are last in each runner's queue. */
        private void sweep() {
            long now = System.nanoTime();
            for (Iterator<ArrayDeque<Idle>> runners = idle.values().iterator(); runners.hasNext(); ) {
                ArrayDeque<Idle> kept = runners.next();
                while (!kept.isEmpty() && now - kept.peekLast().since() > maxIdleNanos) {
                    kept.pollLast().channel().close();
                }
                if (kept.isEmpty()) {
                    runners.remove();
                }
            }
        }
    }

    private record Idle(Channel channel, long since) {
    }
}
