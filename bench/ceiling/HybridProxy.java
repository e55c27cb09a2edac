import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * MinimalProxy's Reactor Netty server with a client on plain Netty instead of Reactor Netty's HttpClient and pool: the
 * upstream call made on the request's own event loop over a connection kept per loop, its answer handed to the
 * server's response through a Reactor sink. bench/ceiling.sh runs it beside MinimalProxy and NettyProxy to show what
 * replacing only the runner call's client would save. A bench floor, not a product: request bodies are not forwarded
 * (the bench sends none), no backpressure on the answer (1 KB), no error answers.
 * Usage: java HybridProxy.java LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT
 */
public class HybridProxy {

    /** Idle upstream connections per event loop; each deque is touched only by its own loop. */
    static final Map<EventLoop, ArrayDeque<Channel>> IDLE = new ConcurrentHashMap<>();

    record Answer(HttpResponse head, Sinks.Many<ByteBuf> body) {
    }

    public static void main(String[] args) {
        int listen = Integer.parseInt(args[0]);
        InetSocketAddress upstream = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        Bootstrap client = new Bootstrap().channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true).remoteAddress(upstream)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new Backend());
                    }
                });
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(listen)
                .handle((request, response) -> {
                    Sinks.One<Answer> answer = Sinks.one();
                    DefaultFullHttpRequest forwarded = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                            request.method(), request.uri());
                    forwarded.headers().set(request.requestHeaders()).remove(HttpHeaderNames.HOST);
                    request.withConnection(connection -> send(client, connection, forwarded, answer));
                    return answer.asMono().flatMap(a -> response.status(a.head().status())
                            .headers(a.head().headers())
                            .send(a.body().asFlux())
                            .then());
                })
                .bindNow();
        System.out.println("listening on " + server.port());
        server.onDispose().block();
    }

    private static void send(Bootstrap client, Connection connection, DefaultFullHttpRequest request,
                             Sinks.One<Answer> answer) {
        EventLoop loop = connection.channel().eventLoop();
        Channel idle = IDLE.computeIfAbsent(loop, l -> new ArrayDeque<>()).pollFirst();
        if (idle != null && idle.isActive()) {
            idle.pipeline().get(Backend.class).answer = answer;
            idle.writeAndFlush(request);
            return;
        }
        client.clone(loop).connect().addListener(f -> {
            Channel channel = ((ChannelFuture) f).channel();
            if (!f.isSuccess()) {
                request.release();
                answer.tryEmitError(f.cause());
                return;
            }
            channel.pipeline().get(Backend.class).answer = answer;
            channel.writeAndFlush(request);
        });
    }

    /** An upstream connection: its answer's head completes the caller's sink, its content feeds the body's. */
    static final class Backend extends SimpleChannelInboundHandler<HttpObject> {
        Sinks.One<Answer> answer;
        Sinks.Many<ByteBuf> body;

        Backend() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject part) {
            if (part instanceof HttpResponse head) {
                body = Sinks.many().unicast().onBackpressureBuffer();
                answer.tryEmitValue(new Answer(head, body));
            }
            if (part instanceof HttpContent content) {
                if (content.content().isReadable()) {
                    body.tryEmitNext(content.content());
                } else {
                    content.release();
                }
                if (part instanceof LastHttpContent) {
                    body.tryEmitComplete();
                    body = null;
                    answer = null;
                    IDLE.get(ctx.channel().eventLoop()).addFirst(ctx.channel());
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ArrayDeque<Channel> idle = IDLE.get(ctx.channel().eventLoop());
            if (idle != null) {
                idle.remove(ctx.channel());
            }
        }
    }
}
