package dev.hearth.runner.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

import dev.hearth.runner.function.ExecutionCall;
import dev.hearth.runner.function.FunctionAdapter;
import dev.hearth.runner.function.FunctionWorkspace;
import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.process.ProcessSupervisor;
import dev.hearth.runner.protocol.Adapter;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The {@code http} adapter: the function is a long-lived HTTP server on a loopback port; executions are
 * proxied to it over a connection pool sized to the runner's concurrency cap. The server is started again after it
 * exits as the runtime's {@code restartPolicy} says ({@link FunctionServer}), on the same port.
 */
public final class HttpAdapter implements FunctionAdapter {

    private final FunctionServer server;
    private final ConnectionProvider connections;
    private final HttpClient client;

    private HttpAdapter(FunctionServer server, int maxConcurrency) {
        this.server = server;
        this.connections = ConnectionProvider.builder("hearth-function")
                .maxConnections(maxConcurrency)
                .pendingAcquireMaxCount(-1)
                .maxIdleTime(Duration.ofSeconds(30))
                .build();
        this.client = HttpClient.create(connections)
                .host("127.0.0.1")
                .port(server.port());
    }

    /**
     * Starts {@code command} with {@code PORT} set to a free loopback port and returns when the server accepts
     * connections there. Blocking.
     *
     * @param restartPolicy the runtime's {@code restartPolicy} ({@code no}, {@code always}, ...)
     * @throws dev.hearth.runner.function.FunctionStartException when it exits or times out first (tree killed)
     */
    public static HttpAdapter start(String command, FunctionWorkspace workspace, long startTimeoutMs,
                                    String restartPolicy, int maxConcurrency, ProcessSupervisor supervisor,
                                    LiveLog liveLog, Executor io) throws IOException {
        int port = freeLoopbackPort();
        Map<String, String> env = new HashMap<>(workspace.environment());
        env.put("PORT", Integer.toString(port));
        Map<String, String> environment = Map.copyOf(env);
        FunctionServer server = FunctionServer.start(() -> supervisor.start(command, workspace.code(), environment),
                "127.0.0.1", port, startTimeoutMs, RestartPolicy.of(restartPolicy), liveLog, io);
        liveLog.append(LiveLog.RUNNER, "function server accepting connections on port " + server.port());
        return new HttpAdapter(server, maxConcurrency);
    }

    @Override
    public Adapter kind() {
        return Adapter.HTTP;
    }

    @Override
    public Flux<ByteBuf> execute(ExecutionCall call) {
        return Flux.defer(() -> new HttpExecution(call, client, server).frames());
    }

    @Override
    public void close() {
        connections.dispose();
        server.kill();
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
