package dev.hearth.runner.http;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

import dev.hearth.runner.RunnerConfig.OpenRuntimesServer;
import dev.hearth.runner.function.ExecutionCall;
import dev.hearth.runner.function.FunctionAdapter;
import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.process.ProcessSupervisor;
import dev.hearth.runner.protocol.Adapter;
import dev.hearth.runner.protocol.Specialization;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The {@code openruntimes} adapter: an unchanged Open Runtimes image's server, speaking the runtime protocol of the
 * specialization's {@code version} ({@link OpenRuntimesVersion}). Its {@code runtimeEntrypoint} runs once with
 * {@code bash -c} in the image's working directory (v2: the v2 code directory) and starts the image's server on its
 * fixed port; the runtime is ready when that port accepts connections. Executions are proxied to it: v5 with the
 * protocol's control headers, logs from the files the server writes ({@link OpenRuntimesExecution}); v2 as one JSON
 * envelope, logs in the JSON answer ({@link OpenRuntimesV2Execution}). The server's own output goes only to the pod's
 * live log. When the server exits (a function calling {@code process.exit()}), {@code runtimeEntrypoint} runs again
 * as the specialization's {@code restartPolicy} says, as Docker restarts an Open Runtimes container upstream
 * ({@link FunctionServer}); the image's start script then extracts the code and starts the server again.
 */
public final class OpenRuntimesAdapter implements FunctionAdapter {

    private final FunctionServer server;
    private final ConnectionProvider connections;
    private final HttpClient client;
    private final OpenRuntimesVersion version;
    private final String secret;
    private final Path logsDir;
    private final Map<String, String> variables;

    /**
     * @param secret    the runtime's secret, as its server sees it (the specialization's, else the image's default)
     * @param variables the specialization's {@code env}: without the secret, what a v2 execution that brings no
     *                  variables of its own sends
     */
    private OpenRuntimesAdapter(FunctionServer server, int maxConcurrency, OpenRuntimesVersion version, String secret,
                                Map<String, String> variables, Path logsDir) {
        this.server = server;
        this.version = version;
        this.secret = secret;
        this.logsDir = logsDir;
        Map<String, String> sent = new HashMap<>(variables);
        sent.remove(version.secretVariable());
        this.variables = Map.copyOf(sent);
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
     * @param specialization the runtime: its {@code version}, {@code env} (the secret among it), start timeout and
     *                       {@code restartPolicy}
     * @param command        the {@code runtimeEntrypoint}, its paths made this runner's
     * @param host           where the server is reached: the pod's own address (its loopback in a pod of its own,
     *                       the pod's 127.0.0.N where pods share the host's network)
     * @param directory      the working directory: the image's ({@code /usr/local/server}, where its helpers are),
     *                       for v2 the v2 code directory
     * @param env            the server's environment: the image's, then the specialization's
     * @throws dev.hearth.runner.function.FunctionStartException when it exits or times out first (tree killed)
     */
    public static OpenRuntimesAdapter start(Specialization specialization, String command, String host,
                                            Path directory, Map<String, String> env, OpenRuntimesServer settings,
                                            int maxConcurrency, ProcessSupervisor supervisor, LiveLog liveLog,
                                            Executor io) throws IOException {
        OpenRuntimesVersion version = OpenRuntimesVersion.of(specialization.version());
        // runtimeEntrypoint runs with bash -c, as upstream runs it; a v2 image's CMD as the image would, and v2
        // images (Alpine) have no bash.
        String shell = command.equals(Specialization.OPEN_RUNTIMES_V2_CMD) ? "sh" : "bash";
        Map<String, String> environment = Map.copyOf(env);
        FunctionServer server = FunctionServer.start(() -> supervisor.start(shell, command, directory, environment),
                host, settings.port(), specialization.startTimeoutMs(),
                RestartPolicy.of(specialization.restartPolicy()), liveLog, io);
        liveLog.append(LiveLog.RUNNER, "Open Runtimes server (runtime protocol " + version.name().toLowerCase(
                java.util.Locale.ROOT) + ") accepting connections on port " + settings.port());
        return new OpenRuntimesAdapter(server, maxConcurrency, version, env.getOrDefault(version.secretVariable(), ""),
                specialization.env(), settings.logsDir());
    }

    @Override
    public Adapter kind() {
        return Adapter.OPENRUNTIMES;
    }

    @Override
    public Flux<ByteBuf> execute(ExecutionCall call) {
        return Flux.defer(() -> version == OpenRuntimesVersion.V2
                ? new OpenRuntimesV2Execution(call, client, server, secret, variables).frames()
                : new OpenRuntimesExecution(call, client, server, secret, logsDir).frames());
    }

    @Override
    public void close() {
        connections.dispose();
        server.kill();
    }
}
