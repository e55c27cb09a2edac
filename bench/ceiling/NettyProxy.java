import java.net.InetSocketAddress;
import java.util.ArrayDeque;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The least a JVM proxy on plain Netty does, for bench/ceiling.sh: each request forwarded to one upstream over a
 * kept-alive connection of the same event loop, the answer's parts written back as they come; no Reactor, no Reactor
 * Netty, no routing. Beside nginx and MinimalProxy (the same on Reactor Netty) it splits what a request costs the JVM
 * and Netty from what Reactor Netty's server, client and pool add. A bench floor, not a product: no backpressure
 * (fine for 1 KB answers), no error answers, one request in flight per client connection (wrk does not pipeline).
 * One event loop, as nginx runs one worker here. Usage: java NettyProxy.java LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT
 */
public class NettyProxy {

    public static void main(String[] args) throws InterruptedException {
        int listen = Integer.parseInt(args[0]);
        InetSocketAddress upstream = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Bootstrap client = new Bootstrap().group(loop).channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true).remoteAddress(upstream)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new Backend());
                    }
                });
        Channel server = new ServerBootstrap().group(loop).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new Frontend(client));
                    }
                })
                .bind("127.0.0.1", listen).sync().channel();
        System.out.println("listening on " + listen);
        server.closeFuture().sync();
    }

    /** Idle upstream connections; only the one event loop touches it. */
    static final ArrayDeque<Channel> IDLE = new ArrayDeque<>();

    /** A client connection: forwards its request's parts to an upstream connection taken for that request. */
    static final class Frontend extends SimpleChannelInboundHandler<HttpObject> {
        private final Bootstrap client;
        private Channel backend;
        private final ArrayDeque<Object> pending = new ArrayDeque<>();

        Frontend(Bootstrap client) {
            super(false);
            this.client = client;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject part) {
            if (part instanceof HttpRequest request) {
                request.headers().remove(HttpHeaderNames.HOST);
                Channel idle = IDLE.pollFirst();
                if (idle != null && idle.isActive()) {
                    attach(ctx, idle);
                } else {
                    client.connect().addListener(f -> {
                        if (f.isSuccess()) {
                            attach(ctx, ((io.netty.channel.ChannelFuture) f).channel());
                        } else {
                            ctx.close();
                        }
                    });
                }
            }
            if (backend != null) {
                backend.write(part);
                if (part instanceof LastHttpContent) {
                    backend.flush();
                }
            } else {
                pending.add(part);
            }
        }

        private void attach(ChannelHandlerContext ctx, Channel channel) {
            backend = channel;
            channel.pipeline().get(Backend.class).frontend = ctx.channel();
            channel.pipeline().get(Backend.class).owner = this;
            for (Object part; (part = pending.poll()) != null; ) {
                channel.write(part);
            }
            channel.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            pending.forEach(ReferenceCountUtil::release);
            if (backend != null) {
                backend.close();
            }
        }
    }

    /** An upstream connection: writes its answer's parts to the client connection it serves, then goes idle. */
    static final class Backend extends SimpleChannelInboundHandler<HttpObject> {
        Channel frontend;
        Frontend owner;

        Backend() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject part) {
            frontend.write(part);
            if (part instanceof LastHttpContent) {
                frontend.flush();
                owner.backend = null;
                owner = null;
                frontend = null;
                IDLE.addFirst(ctx.channel());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            IDLE.remove(ctx.channel());
            if (frontend != null) {
                frontend.close();
            }
        }
    }
}
