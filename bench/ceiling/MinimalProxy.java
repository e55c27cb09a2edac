import java.net.InetSocketAddress;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The least a Reactor Netty gateway can do: forward each request to one upstream and stream its answer back, with
 * no routing, parsing, auth, metrics or Spring. bench/ceiling.sh measures it beside nginx to show what this stack
 * costs before any of Hearth's own work. Usage: java MinimalProxy.java LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT
 */
public class MinimalProxy {

    public static void main(String[] args) {
        int listen = Integer.parseInt(args[0]);
        InetSocketAddress upstream = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        HttpClient client = HttpClient.create(ConnectionProvider.builder("upstream").maxConnections(512).build())
                .remoteAddress(() -> upstream);
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(listen)
                .handle((request, response) -> client
                        .headers(headers -> headers.set(request.requestHeaders()).remove(HttpHeaderNames.HOST))
                        .request(request.method())
                        .uri(request.uri())
                        .send(request.receive().retain())
                        .response((answer, body) -> response.status(answer.status())
                                .headers(answer.responseHeaders())
                                .send(body.retain())
                                .then()))
                .bindNow();
        System.out.println("listening on " + server.port());
        server.onDispose().block();
    }
}
