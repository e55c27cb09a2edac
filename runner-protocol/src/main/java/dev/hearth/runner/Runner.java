package dev.hearth.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.hearth.runner.function.FunctionAdapter;
import dev.hearth.runner.io.IoThreads;
import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.process.ProcessSupervisor;
import dev.hearth.runner.protocol.RunnerProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The runner: PID 1 of a runtime pod, serving the runner protocol ({@code PROTOCOL.md}) on one port.
 *
 * <p>{@link #start} binds and returns once listening. {@link #close} is idempotent: it cuts open connections,
 * kills every process the runner started (whole trees), then stops the server. The work directory is left to its owner.
 */
public final class Runner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Runner.class);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private final RunnerState state;
    private final ProcessSupervisor supervisor;
    private final LiveLog liveLog;
    private final ExecutorService io;
    private final DisposableServer server;
    private final ChannelGroup connections;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Runner(RunnerState state, ProcessSupervisor supervisor, LiveLog liveLog, ExecutorService io,
                   DisposableServer server, ChannelGroup connections) {
        this.state = state;
        this.supervisor = supervisor;
        this.liveLog = liveLog;
        this.io = io;
        this.server = server;
        this.connections = connections;
    }

    /** Binds and returns when listening. Blocking: call off event loops. */
    public static Runner start(RunnerConfig config) {
        try {
            Files.createDirectories(config.workDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create work directory " + config.workDir(), e);
        }
        RunnerState state = new RunnerState(config.maxConcurrency());
        ProcessSupervisor supervisor = new ProcessSupervisor();
        LiveLog liveLog = new LiveLog();
        ExecutorService io = IoThreads.newPool("hearth-runner-io");
        RunnerRoutes routes = new RunnerRoutes(
                new RequestGuard(config.secret()),
                new HealthHandler(state),
                new SpecializeHandler(config, state, supervisor, liveLog, io),
                new ExecuteHandler(state),
                new LogsHandler(liveLog),
                new BuildHandler(config, state, supervisor, liveLog, io),
                new ArtifactHandler(config, state),
                new CommandHandler(state, supervisor, io));
        // Open connections are tracked so that close() cuts them, as the death of a pod would: a caller
        // mid-execution sees its connection drop rather than a response from a runner that is gone.
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        DisposableServer server = RunnerSocket.listen(config, HttpServer.create()
                .doOnConnection(connection -> connections.add(connection.channel()))
                .httpRequestDecoder(spec -> spec.maxHeaderSize(RunnerProtocol.MAX_HEADER_BYTES))
                .handle(routes::handle));
        // build-dist.sh and bench/ read the TCP port from this line's "/host:port".
        log.info("runner listening on {} (work dir {}, max concurrency {})", server.address(), config.workDir(),
                config.maxConcurrency());
        liveLog.append(LiveLog.RUNNER, "runner listening on " + RunnerSocket.describe(server));
        return new Runner(state, supervisor, liveLog, io, server, connections);
    }

    /** Where it listens on TCP; a runner on a Unix domain socket has no such address. */
    public InetSocketAddress address() {
        if (server.address() instanceof InetSocketAddress address) {
            return address;
        }
        throw new IllegalStateException("the runner listens on a Unix domain socket, " + server.address());
    }

    public boolean specialized() {
        return state.isSpecialized();
    }

    /** Function processes currently alive, descendants included. */
    public int liveProcesses() {
        return supervisor.liveProcesses();
    }

    /** The live log, for tests in this package. */
    LiveLog liveLog() {
        return liveLog;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        log.info("runner shutting down");
        connections.close();
        FunctionAdapter adapter = state.adapter();
        if (adapter != null) {
            adapter.close();
        }
        supervisor.killAll(KILL_WAIT);
        liveLog.completeFollowers();
        server.disposeNow(KILL_WAIT);
        io.shutdownNow();
    }
}
