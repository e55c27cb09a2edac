package dev.hearth.runner.process;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One started function process (the {@code sh -c} of a command) with its process group.
 *
 * <p>{@link #kill()} is idempotent and blocking; it kills the whole tree, see {@link ProcessTree}.
 */
public final class FunctionProcess {

    private final Process process;
    private final boolean ownGroup;
    private final Runnable onKilled;
    private final AtomicBoolean killed = new AtomicBoolean();

    FunctionProcess(Process process, boolean ownGroup, Runnable onKilled) {
        this.process = process;
        this.ownGroup = ownGroup;
        this.onKilled = onKilled;
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** True once {@link #kill()} was called, e.g. to tell a timeout kill from a crash. */
    public boolean killed() {
        return killed.get();
    }

    /** Kills the tree. Also kills the leftovers of a process that exited on its own (background children). */
    public void kill() {
        killed.set(true);
        ProcessTree.kill(process.toHandle(), ownGroup);
        onKilled.run();
    }

    /** Kills leftovers without marking the process killed (it ended on its own). */
    public void reap() {
        ProcessTree.kill(process.toHandle(), ownGroup);
        onKilled.run();
    }
}
