package dev.hearth.gateway.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.StaticApplicationContext;

import dev.hearth.gateway.api.error.ExecutorErrorHandler;
import dev.hearth.gateway.api.error.ExecutorProperties;
import dev.hearth.gateway.metrics.RequestTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

/**
 * {@link ExecutionConnection} on an embedded channel laid out as Reactor Netty lays out its server's: the HTTP codec,
 * this handler, then a stand-in for Reactor Netty's traffic handler that records what is passed on. The requests
 * carry no key, so each execution is answered at once (401) without a runtime behind it.
 */
class ExecutionConnectionTest {

    private final List<HttpObject> passedOn = new ArrayList<>();
    private final ExecutionsInFlight inFlight = new ExecutionsInFlight();
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ExecutionRoute route;

    ExecutionConnectionTest() {
        ExecutorProperties executor = new ExecutorProperties("the-key", "v", "development", List.of("v5"));
        route = new ExecutionRoute(null, new ExecutorErrorHandler(executor), executor,
                new RequestTimer(new SimpleMeterRegistry()), inFlight);
        channel.pipeline().addLast(NettyPipeline.HttpCodec, new HttpServerCodec());
        channel.pipeline().addLast(ExecutionConnection.NAME, new ExecutionConnection(route, inFlight));
        channel.pipeline().addLast(NettyPipeline.HttpTrafficHandler, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passedOn.add((HttpObject) msg);
                ReferenceCountUtil.release(msg);
            }
        });
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void anExecutionIsAnsweredHereAndEverythingElsePassesOn() {
        receive(post("/v1/runtimes/r/executions") + get("/v1/runtimes"));

        assertThat(sent()).startsWith("HTTP/1.1 401 Unauthorized").contains("general_unauthorized");
        assertThat(passedOn).as("the request and its empty last part; the execution never reached Reactor Netty")
                .hasSize(2);
        assertThat(((HttpRequest) passedOn.get(0)).uri()).isEqualTo("/v1/runtimes");
        assertThat(inFlight.count()).isZero();
    }

    @Test
    void anExecutionBehindARequestReactorNettyAnswersWaitsForThatAnswer() {
        receive(get("/v1/health") + post("/v1/runtimes/r/executions"));

        assertThat(sent()).as("nothing answered before the first request's answer").isEmpty();
        channel.pipeline().context(NettyPipeline.HttpTrafficHandler).writeAndFlush(
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));
        channel.runPendingTasks();

        String answers = sent();
        assertThat(answers).startsWith("HTTP/1.1 200 OK");
        assertThat(answers.split("HTTP/1.1 ", -1)).as("two answers").hasSize(3);
        assertThat(answers.indexOf("HTTP/1.1 401")).as("the execution answered after it").isPositive();
    }

    @Test
    void anExecutionTakesReactorNettysIdleTimeoutOffItsConnection() {
        channel.pipeline().addFirst(NettyPipeline.IdleTimeoutHandler, new ChannelInboundHandlerAdapter());

        receive(post("/v1/runtimes/r/executions"));

        assertThat(sent()).startsWith("HTTP/1.1 401");
        assertThat(channel.pipeline().get(NettyPipeline.IdleTimeoutHandler)).isNull();
    }

    @Test
    void anHttp10ExecutionEndsItsConnection() {
        receive(post("/v1/runtimes/r/executions").replace("HTTP/1.1", "HTTP/1.0"));

        assertThat(sent()).startsWith("HTTP/1.1 401").containsIgnoringCase(HttpHeaderNames.CONNECTION + ": close");
        assertThat(channel.isOpen()).isFalse();
    }

    /**
     * While the context drains, a close asked for from the pipeline (Reactor Netty's graceful shutdown closes every
     * connection it sees idle) waits for the execution the connection is answering; before it, it closes at once.
     */
    @Test
    void whileDrainingAConnectionClosesOnlyOnceItsExecutionIsAnswered() {
        String halfABody = post("/v1/runtimes/r/executions").replace("Content-Length: 2", "Content-Length: 4");
        receive(halfABody);
        assertThat(inFlight.count()).as("the body is still arriving").isOne();

        inFlight.onApplicationEvent(new ContextClosedEvent(new StaticApplicationContext()));
        channel.close();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("the close waits for the execution").isTrue();

        receive("  ");
        assertThat(sent()).startsWith("HTTP/1.1 401");
        assertThat(inFlight.count()).isZero();
        assertThat(channel.isOpen()).as("closed once it was answered").isFalse();
    }

    @Test
    void untilTheContextClosesACloseIsAtOnce() {
        receive(post("/v1/runtimes/r/executions").replace("Content-Length: 2", "Content-Length: 4"));
        channel.close();
        assertThat(channel.isOpen()).isFalse();
        assertThat(inFlight.count()).isZero();
    }

    @Test
    void aServerThatWouldSpeakHttp2IsRefusedAtStart() {
        assertThat(route.apply(HttpServer.create())).isNotNull();
        assertThatThrownBy(() -> route.apply(HttpServer.create().protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("server.http2.enabled");
    }

    private void receive(String requests) {
        channel.writeInbound(Unpooled.copiedBuffer(requests, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
    }

    private String sent() {
        StringBuilder text = new StringBuilder();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            ByteBuf bytes = (ByteBuf) out;
            text.append(bytes.toString(StandardCharsets.ISO_8859_1));
            bytes.release();
        }
        return text.toString();
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: g\r\n\r\n";
    }

    private static String post(String path) {
        return "POST " + path + " HTTP/1.1\r\nHost: g\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    }
}
