package dev.hearth.runner.http;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;

import dev.hearth.runner.RunnerConfig.OpenRuntimesServer;
import dev.hearth.runner.function.ExecutionCall;
import dev.hearth.runner.function.FunctionAdapter;
import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.process.ProcessSupervisor;
import dev.hearth.runner.protocol.Adapter;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The {@code openruntimes} adapter: an unchanged Open Runtimes image's server (runtime protocol v5). Its
 * {@code runtimeEntrypoint} runs once with {@code bash -c} in the image's working directory and starts the image's
 * server on its fixed port; the runtime is ready when that port accepts connections. Executions are proxied to it
 * with the protocol's control headers ({@link OpenRuntimesExecution}); the server's own output goes only to the
 * pod's live log, an execution's logs come from the files the server writes.
 */
public final class OpenRuntimesAdapter implements FunctionAdapter {

    /** The variable the image's server checks {@code x-open-runtimes-secret} against. */
    public static final String SECRET_VARIABLE = "OPEN_RUNTIMES_SECRET";

    private final FunctionServer server;
    private final ConnectionProvider connections;
    private final HttpClient client;
    private final String secret;
    private final Path logsDir;

    private OpenRuntimesAdapter(FunctionServer server, int maxConcurrency, String secret, Path logsDir) {
        this.server = server;
        this.secret = secret;
        this.logsDir = logsDir;
        this.connections = ConnectionProvider.builder("hearth-openruntimes")
                .maxConnections(maxConcurrency)
                .pendingAcquireMaxCount(-1)
                .maxIdleTime(Duration.ofSeconds(30))
                .build();
        this.client = HttpClient.create(connections).host(server.host()).port(server.port());
    }

    /**
     * Runs {@code runtimeEntrypoint} and returns once the server accepts connections. Blocking.
     *
     * @param host      where the server is reached: the pod's own address (its loopback in a pod of its own, the
     *                  pod's 127.0.0.N where pods share the host's network)
     * @param directory the image's working directory ({@code /usr/local/server}), where its helpers are
     * @param env       the runtime's environment: the image's, then the runtime's variables and Open Runtimes' own
     * @throws dev.hearth.runner.function.FunctionStartException when it exits or times out first (tree killed)
     */
    public static OpenRuntimesAdapter start(String runtimeEntrypoint, String host, Path directory,
                                            Map<String, String> env,
                                            OpenRuntimesServer settings, long startTimeoutMs, int maxConcurrency,
                                            ProcessSupervisor supervisor, LiveLog liveLog, Executor io)
            throws IOException {
        FunctionServer server = FunctionServer.start(supervisor.start("bash", runtimeEntrypoint, directory, env),
                host, settings.port(), startTimeoutMs, liveLog, io);
        liveLog.append(LiveLog.RUNNER, "Open Runtimes server accepting connections on port " + settings.port());
        return new OpenRuntimesAdapter(server, maxConcurrency, env.getOrDefault(SECRET_VARIABLE, ""),
                settings.logsDir());
    }

    @Override
    public Adapter kind() {
        return Adapter.OPENRUNTIMES;
    }

    @Override
    public Flux<ByteBuf> execute(ExecutionCall call) {
        return Flux.defer(() -> new OpenRuntimesExecution(call, client, server, secret, logsDir).frames());
    }

    @Override
    public void close() {
        connections.dispose();
        server.kill();
    }
}
