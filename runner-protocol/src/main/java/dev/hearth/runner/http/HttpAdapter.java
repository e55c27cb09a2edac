package dev.hearth.runner.http;

import java.io.IOException;
import java.time.Duration;
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
 * proxied to it over a connection pool sized to the runner's concurrency cap.
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
     * Starts the server and returns when it accepts connections. Blocking.
     *
     * @throws dev.hearth.runner.function.FunctionStartException when it exits or times out first (tree killed)
     */
    public static HttpAdapter start(String command, FunctionWorkspace workspace, long startTimeoutMs,
                                    int maxConcurrency, ProcessSupervisor supervisor, LiveLog liveLog, Executor io)
            throws IOException {
        FunctionServer server = FunctionServer.start(command, workspace, startTimeoutMs, supervisor, liveLog, io);
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
}
