package dev.hearth.runner.http;

import java.io.IOException;
import java.time.Duration;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import dev.hearth.runner.function.FunctionStartException;
import dev.hearth.runner.function.FunctionWorkspace;
import dev.hearth.runner.logs.CappedLog;
import dev.hearth.runner.logs.LinePump;
import dev.hearth.runner.logs.DrainMarker;
import reactor.core.publisher.Mono;
import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.process.FunctionProcess;
import dev.hearth.runner.process.ProcessSupervisor;

/**
 * The long-lived server process of an {@code http} function: started with {@code PORT} set, watched, its
 * stdout/stderr lines sent to the live log and to every execution in flight when they are printed.
 *
 * <p>Thread-safe. {@link #start} blocks until the server accepts connections; call it off event loops.
 */
final class FunctionServer {

    static final int RECENT_LINES = 20;
    private static final long POLL_MS = 50;

    private final FunctionProcess process;
    private final String host;
    private final int port;
    private final LiveLog liveLog;
    private final Set<Attribution> inFlight = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<String> recent = new ArrayDeque<>();

    /** Where lines printed during one execution go. */
    private volatile DrainMarker stdoutMarker = DrainMarker.of(-1, 1);
    private volatile DrainMarker stderrMarker = DrainMarker.of(-1, 2);

    record Attribution(CappedLog logs, CappedLog errors) {
    }

    private FunctionServer(FunctionProcess process, String host, int port, LiveLog liveLog) {
        this.process = process;
        this.host = host;
        this.port = port;
        this.liveLog = liveLog;
    }

    static FunctionServer start(String command, FunctionWorkspace workspace, long startTimeoutMs,
                                ProcessSupervisor supervisor, LiveLog liveLog, Executor io) throws IOException {
        int port = freeLoopbackPort();
        Map<String, String> env = new HashMap<>(workspace.environment());
        env.put("PORT", Integer.toString(port));
        return start(supervisor.start(command, workspace.code(), env), "127.0.0.1", port, startTimeoutMs, liveLog,
                io);
    }

    /**
     * Watches a started server process that is to accept connections on {@code host:port}; blocks until it does.
     */
    static FunctionServer start(FunctionProcess process, String host, int port, long startTimeoutMs, LiveLog liveLog,
                                Executor io) throws IOException {
        FunctionServer server = new FunctionServer(process, host, port, liveLog);
        server.stdoutMarker = DrainMarker.of(process.pid(), 1);
        server.stderrMarker = DrainMarker.of(process.pid(), 2);
        LinePump.start(process.process().getInputStream(), LiveLog.STDOUT, liveLog, server::onStdout, io,
                server.stdoutMarker);
        LinePump.start(process.process().getErrorStream(), LiveLog.STDERR, liveLog, server::onStderr, io,
                server.stderrMarker);
        try {
            process.process().getOutputStream().close();
            server.awaitAccepting(startTimeoutMs);
        } catch (IOException | RuntimeException e) {
            process.kill();
            throw e;
        }
        process.onExit().thenAccept(exited -> {
            if (!process.killed()) {
                liveLog.append(LiveLog.RUNNER, "function server exited with code " + exited.exitValue());
            }
        });
        return server;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    boolean alive() {
        return process.process().isAlive();
    }

    String exitDescription() {
        return process.process().isAlive() ? "function server is running"
                : "function server exited with code " + process.process().exitValue();
    }

    /**
     * Completes once every line the server wrote so far has been read and attributed (a {@link DrainMarker}
     * barrier on stdout and stderr), or after {@code max}. An execution's END waits for it, so that a line
     * printed just before the response belongs to that execution. Never blocks an event-loop thread.
     */
    Mono<Void> drained(Duration max) {
        return Mono.when(stdoutMarker.drained(max), stderrMarker.drained(max));
    }

    void track(Attribution attribution) {
        inFlight.add(attribution);
    }

    void untrack(Attribution attribution) {
        inFlight.remove(attribution);
    }

    void kill() {
        stdoutMarker.close();
        stderrMarker.close();
        process.kill();
    }

    private void awaitAccepting(long startTimeoutMs) {
        long deadline = System.nanoTime() + startTimeoutMs * 1_000_000;
        InetSocketAddress address = new InetSocketAddress(host, port);
        while (true) {
            if (!process.process().isAlive()) {
                waitForOutput();
                throw new FunctionStartException("function server exited with code " + process.process().exitValue()
                        + " before accepting connections" + recentOutput());
            }
            try (Socket socket = new Socket()) {
                socket.connect(address, (int) POLL_MS * 4);
                return;
            } catch (IOException notYet) {
                // keep polling
            }
            if (System.nanoTime() > deadline) {
                throw new FunctionStartException("function server did not accept connections on port " + port
                        + " within " + startTimeoutMs + " ms" + recentOutput());
            }
            sleep(POLL_MS);
        }
    }

    private void waitForOutput() {
        // The pumps may still be reading the last lines of a process that just exited.
        sleep(POLL_MS);
    }

    private String recentOutput() {
        synchronized (recent) {
            return recent.isEmpty() ? "" : "; last output:\n" + String.join("\n", recent);
        }
    }

    private void onStdout(String line) {
        remember(line);
        inFlight.forEach(attribution -> attribution.logs().append(line + "\n"));
    }

    private void onStderr(String line) {
        remember(line);
        inFlight.forEach(attribution -> attribution.errors().append(line + "\n"));
    }

    private void remember(String line) {
        synchronized (recent) {
            recent.addLast(line);
            if (recent.size() > RECENT_LINES) {
                recent.removeFirst();
            }
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the function server", e);
        }
    }
}
