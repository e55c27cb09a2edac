package dev.hearth.runner.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import dev.hearth.runner.logs.DrainMarker;
import dev.hearth.runner.logs.LinePump;
import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.process.FunctionProcess;

/**
 * One start of a function server: its process, the pumps that hand its stdout and stderr lines out, the
 * {@link DrainMarker}s on its pipes, when it started, and whether its exit has been dealt with. A
 * {@link FunctionServer} has one at a time and makes a new one for each restart.
 */
final class ServerInstance {

    /** A refused loopback connect answers at once; a connect that hangs this long counts as not accepting yet. */
    private static final int CONNECT_TIMEOUT_MS = 200;

    /** What waiting for the server to accept connections ended with. */
    enum Readiness { ACCEPTING, EXITED, TIMED_OUT, GIVEN_UP }

    private final FunctionProcess process;
    private final DrainMarker stdoutMarker;
    private final DrainMarker stderrMarker;
    private final long startNanos = System.nanoTime();
    private final CompletableFuture<Void> exitHandled = new CompletableFuture<>();

    private ServerInstance(FunctionProcess process) {
        this.process = process;
        this.stdoutMarker = DrainMarker.of(process.pid(), 1);
        this.stderrMarker = DrainMarker.of(process.pid(), 2);
    }

    /** Watches a started process: its lines go to the live log and to {@code onStdout}/{@code onStderr}. */
    static ServerInstance watch(FunctionProcess process, LiveLog liveLog, Consumer<String> onStdout,
                                Consumer<String> onStderr, Executor io) {
        ServerInstance instance = new ServerInstance(process);
        LinePump.start(process.process().getInputStream(), LiveLog.STDOUT, liveLog, onStdout, io,
                instance.stdoutMarker);
        LinePump.start(process.process().getErrorStream(), LiveLog.STDERR, liveLog, onStderr, io,
                instance.stderrMarker);
        try {
            process.process().getOutputStream().close();
        } catch (IOException ignored) {
            // stdin is closed so that a server reading it sees its end; a process already gone has none to close
        }
        return instance;
    }

    FunctionProcess process() {
        return process;
    }

    boolean alive() {
        return process.process().isAlive();
    }

    int exitCode() {
        return process.process().exitValue();
    }

    Duration uptime() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Completes once the server's owner has decided what follows this process's exit. */
    CompletableFuture<Void> exitHandled() {
        return exitHandled;
    }

    /** See {@link FunctionServer#drained}. */
    DrainMarker stdoutMarker() {
        return stdoutMarker;
    }

    DrainMarker stderrMarker() {
        return stderrMarker;
    }

    /**
     * Releases the runner's ends of the process's pipes, so that its pumps see their end once the process is gone
     * (the markers hold the pipes' write ends open), and completes any drain waiting on them.
     */
    void releasePipes() {
        stdoutMarker.close();
        stderrMarker.close();
    }

    /** Kills the process tree and releases the pipes. Blocking, idempotent. */
    void kill() {
        releasePipes();
        process.kill();
    }

    /**
     * Tries to connect to {@code address} until it accepts a connection, the process exits, {@code timeoutMs}
     * passes or {@code givenUp} says to stop (the server closes); the pauses between attempts follow
     * {@link AcceptPolling}. Blocking: call it off event loops.
     */
    Readiness awaitAccepting(InetSocketAddress address, long timeoutMs, BooleanSupplier givenUp) {
        long waitStart = System.nanoTime();
        long deadline = waitStart + timeoutMs * 1_000_000;
        while (true) {
            if (!alive()) {
                return Readiness.EXITED;
            }
            if (givenUp.getAsBoolean()) {
                return Readiness.GIVEN_UP;
            }
            try (Socket socket = new Socket()) {
                socket.connect(address, CONNECT_TIMEOUT_MS);
                return Readiness.ACCEPTING;
            } catch (IOException notYet) {
                // keep polling
            }
            if (System.nanoTime() > deadline) {
                return Readiness.TIMED_OUT;
            }
            LockSupport.parkNanos(AcceptPolling.pauseNanos(System.nanoTime() - waitStart));
            if (Thread.interrupted()) {
                // The runner's I/O threads are interrupted when it closes.
                Thread.currentThread().interrupt();
                return Readiness.GIVEN_UP;
            }
        }
    }
}
