package dev.hearth.runner.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import dev.hearth.runner.function.FunctionStartException;
import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.process.FunctionProcess;
import reactor.core.publisher.Mono;

/**
 * The long-lived server process of an {@code http} function or an Open Runtimes image: started, watched, its
 * stdout/stderr lines sent to the live log and to every execution in flight when they are printed, and started
 * again after it exits on its own when the runtime's {@link RestartPolicy} says so.
 *
 * <p>Phases: {@code UP} (the current process accepted connections), {@code RESTARTING} (it exited; the next start
 * waits out its {@link RestartBackoff} or for the new process to accept connections, within the start timeout, else
 * it is killed and counts as a failed exit), {@code DOWN} (it exited and the policy does not restart it: executions
 * fail at once, 502) and {@code CLOSED} (killed; nothing restarts). Executions wait in {@link #ready} while it
 * restarts, each within its own timeout, as upstream's executor retries connecting while Docker restarts a container.
 * Every exit, restart and start is noted in the live log, where the server's own output goes too.
 *
 * <p>Thread-safe; phase changes happen under one lock. {@link #start} blocks until the server accepts connections;
 * call it off event loops. Restarts run on the I/O executor.
 */
final class FunctionServer {

    private static final long OUTPUT_GRACE_MS = 50;

    /** Starts the server's process, the same way at every start. */
    interface Launcher {
        FunctionProcess launch() throws IOException;
    }

    private enum Phase { UP, RESTARTING, DOWN, CLOSED }

    private final Launcher launcher;
    private final String host;
    private final int port;
    private final long startTimeoutMs;
    private final RestartPolicy policy;
    private final LiveLog liveLog;
    private final Executor io;
    private final ServerOutput output = new ServerOutput();
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final RestartBackoff backoff = new RestartBackoff();
    private int restarts;
    private volatile ServerInstance current;
    private volatile Phase phase = Phase.UP;
    /** Completed when a restart ends (the server is up again, down for good or closed); written before phase. */
    private volatile CompletableFuture<Void> restarted = CompletableFuture.completedFuture(null);

    private FunctionServer(Launcher launcher, String host, int port, long startTimeoutMs, RestartPolicy policy,
                           LiveLog liveLog, Executor io) {
        this.launcher = launcher;
        this.host = host;
        this.port = port;
        this.startTimeoutMs = startTimeoutMs;
        this.policy = policy;
        this.liveLog = liveLog;
        this.io = io;
    }

    /**
     * Starts a server that is to accept connections on {@code host:port}; blocks until it does.
     *
     * @throws FunctionStartException when it exits or times out first (its tree killed; no restart)
     */
    static FunctionServer start(Launcher launcher, String host, int port, long startTimeoutMs, RestartPolicy policy,
                                LiveLog liveLog, Executor io) throws IOException {
        FunctionServer server = new FunctionServer(launcher, host, port, startTimeoutMs, policy, liveLog, io);
        ServerInstance first = server.launch();
        server.current = first;
        ServerInstance.Readiness readiness = first.awaitAccepting(server.address(), startTimeoutMs, () -> false);
        if (readiness != ServerInstance.Readiness.ACCEPTING) {
            throw server.failedStart(first, readiness);
        }
        server.watchExit(first);
        return server;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    /** Whether the server is up and its process alive. */
    boolean alive() {
        return phase == Phase.UP && current.alive();
    }

    /** True while some later exit or start may still bring the server back: executions refused then try again. */
    boolean mayRestart() {
        Phase now = phase;
        return policy.mayRestart() && now != Phase.DOWN && now != Phase.CLOSED;
    }

    String exitDescription() {
        ServerInstance instance = current;
        if (phase == Phase.RESTARTING) {
            return "function server exited and is restarting (restart policy " + policy.wireName() + ")";
        }
        return instance.alive() ? "function server is running"
                : "function server exited with code " + instance.exitCode();
    }

    /**
     * Completes when the server is up, or will not come back (down, closed): at once when it is up; while it
     * restarts, once the restart ends; after an exit not yet dealt with, once it is. Lazy; cancelling it waits no
     * more. Never blocks.
     */
    Mono<Void> ready() {
        return Mono.defer(() -> {
            Phase now = phase;
            CompletableFuture<Void> restart = restarted;
            ServerInstance instance = current;
            if (now == Phase.RESTARTING) {
                return Mono.fromFuture(restart, true).then(Mono.defer(this::ready));
            }
            if (now == Phase.UP && policy.mayRestart() && !instance.alive() && !instance.exitHandled().isDone()) {
                return Mono.fromFuture(instance.exitHandled(), true).then(Mono.defer(this::ready));
            }
            return Mono.empty();
        });
    }

    /**
     * Completes once every line the server wrote so far has been read and attributed (a
     * {@link dev.hearth.runner.logs.DrainMarker} barrier on stdout and stderr), or after {@code max}. An execution's
     * END waits for it, so that a line printed just before the response belongs to that execution. Never blocks an
     * event-loop thread.
     */
    Mono<Void> drained(Duration max) {
        ServerInstance instance = current;
        return Mono.when(instance.stdoutMarker().drained(max), instance.stderrMarker().drained(max));
    }

    /** Lines the server prints from now on go to {@code attribution} too, until {@link #untrack}. */
    void track(ServerOutput.Attribution attribution) {
        output.track(attribution);
    }

    void untrack(ServerOutput.Attribution attribution) {
        output.untrack(attribution);
    }

    /** Kills the server for good: no restart follows, one under way is stopped. Blocking, idempotent. */
    void kill() {
        ServerInstance instance;
        synchronized (lock) {
            phase = Phase.CLOSED;
            restarted.complete(null);
            instance = current;
        }
        instance.kill();
    }

    private ServerInstance launch() throws IOException {
        return ServerInstance.watch(launcher.launch(), liveLog, output::stdout, output::stderr, io);
    }

    private InetSocketAddress address() {
        return new InetSocketAddress(host, port);
    }

    private FunctionStartException failedStart(ServerInstance instance, ServerInstance.Readiness readiness) {
        if (readiness == ServerInstance.Readiness.EXITED) {
            pause(OUTPUT_GRACE_MS); // the pumps may still be reading the last lines of a process that just exited
        }
        instance.kill();
        return new FunctionStartException(switch (readiness) {
            case EXITED -> "function server exited with code " + instance.exitCode() + " before accepting connections";
            case TIMED_OUT -> "function server did not accept connections on port " + port + " within "
                    + startTimeoutMs + " ms";
            default -> "interrupted while starting the function server";
        } + output.recent());
    }

    /** Deals with the process's exit on an I/O thread (it kills leftovers, which blocks). */
    private void watchExit(ServerInstance instance) {
        instance.process().onExit().thenRun(() -> {
            try {
                io.execute(() -> exited(instance));
            } catch (RejectedExecutionException closing) {
                instance.exitHandled().complete(null);
            }
        });
    }

    private void exited(ServerInstance instance) {
        try {
            instance.releasePipes();
            if (instance.process().killed() || phase == Phase.CLOSED) {
                return;
            }
            if (policy.mayRestart()) {
                // As a container ends with its main process: nothing it left may hold the port of the next start.
                instance.process().reap();
            }
            ended(instance.uptime(), "exited with code " + instance.exitCode(), instance.exitCode());
        } finally {
            instance.exitHandled().complete(null);
        }
    }

    /** Decides what follows the end of a start that ran {@code uptime}: a restart after the backoff, or down. */
    private void ended(Duration uptime, String how, int exitCode) {
        Duration delay;
        synchronized (lock) {
            if (phase == Phase.CLOSED) {
                return;
            }
            if (!policy.restarts(exitCode)) {
                phase = Phase.DOWN;
                restarted.complete(null);
                liveLog.append(LiveLog.RUNNER, "function server " + how + (policy.mayRestart()
                        ? "; not restarted (restart policy " + policy.wireName() + ")" : ""));
                return;
            }
            delay = backoff.next(uptime);
            if (phase != Phase.RESTARTING) {
                restarted = new CompletableFuture<>();
                phase = Phase.RESTARTING;
            }
        }
        liveLog.append(LiveLog.RUNNER, "function server " + how + "; restarting in " + delay.toMillis()
                + " ms (restart policy " + policy.wireName() + ")");
        // A runner closing meanwhile rejects the task, and the restart is not needed then.
        CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, io).execute(this::restart);
    }

    private void restart() {
        ServerInstance instance;
        int number;
        synchronized (lock) {
            if (phase == Phase.CLOSED) {
                return;
            }
            try {
                instance = launch();
            } catch (IOException | RuntimeException e) {
                liveLog.append(LiveLog.RUNNER, "function server could not be started again: " + e.getMessage());
                ended(Duration.ZERO, "did not start", 1);
                return;
            }
            current = instance;
            number = ++restarts;
        }
        watchExit(instance);
        ServerInstance.Readiness readiness = instance.awaitAccepting(address(), startTimeoutMs,
                () -> phase == Phase.CLOSED);
        if (readiness == ServerInstance.Readiness.ACCEPTING) {
            up(instance, number);
        } else if (readiness == ServerInstance.Readiness.TIMED_OUT) {
            instance.kill();
            ended(instance.uptime(), "did not accept connections on port " + port + " within " + startTimeoutMs + " ms", 1);
        }
        // EXITED: its exit is dealt with as any other; GIVEN_UP: the server is closing.
    }

    private void up(ServerInstance instance, int number) {
        synchronized (lock) {
            if (phase == Phase.CLOSED || current != instance || !instance.alive()) {
                return;
            }
            phase = Phase.UP;
            restarted.complete(null);
        }
        liveLog.append(LiveLog.RUNNER, "function server restarted (restart " + number
                + "), accepting connections on port " + port);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
