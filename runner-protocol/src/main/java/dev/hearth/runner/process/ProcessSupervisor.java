package dev.hearth.runner.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts function processes, each in its own process group, and remembers them so that {@link #killAll}
 * can kill every tree the runner ever started.
 *
 * <p>A process is started as {@code setsid sh -c <command>}: the JVM's child is never a group leader, so
 * {@code setsid} calls {@code setsid(2)} and execs in place, which makes the shell's pid its group and session
 * id. Where no {@code setsid} binary exists, the process shares the runner's group and only the descendant
 * walk of {@link ProcessTree} can kill its tree.
 *
 * <p>Thread-safe. {@link #start} and {@link #killAll} block; call them off event loops.
 */
public final class ProcessSupervisor {

    private static final Logger log = LoggerFactory.getLogger(ProcessSupervisor.class);
    private static final List<Path> SETSID_CANDIDATES = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

    private final Path setsid = SETSID_CANDIDATES.stream().filter(Files::isExecutable).findFirst().orElse(null);
    /** Every process started and not yet killed; leftovers of exited ones are tracked until reaped. */
    private final Set<FunctionProcess> processes = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * Starts {@code sh -c command} in {@code directory} with exactly {@code environment}.
     *
     * @throws IOException when the process cannot be started, or the supervisor is closed
     */
    public FunctionProcess start(String command, Path directory, Map<String, String> environment)
            throws IOException {
        return start("sh", command, directory, environment);
    }

    /**
     * Starts {@code shell -c command} in {@code directory} with exactly {@code environment} ({@code bash} for Open
     * Runtimes' commands, which its images' scripts expect).
     *
     * @throws IOException when the process cannot be started, or the supervisor is closed
     */
    public FunctionProcess start(String shell, String command, Path directory, Map<String, String> environment)
            throws IOException {
        if (closed) {
            throw new IOException("runner is shutting down");
        }
        List<String> argv = new ArrayList<>();
        if (setsid != null) {
            argv.add(setsid.toString());
        }
        argv.addAll(List.of(shell, "-c", command));
        ProcessBuilder builder = new ProcessBuilder(argv).directory(directory.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process = builder.start();
        FunctionProcess[] holder = new FunctionProcess[1];
        FunctionProcess functionProcess = new FunctionProcess(process, setsid != null,
                () -> processes.remove(holder[0]));
        holder[0] = functionProcess;
        processes.add(functionProcess);
        if (closed) {
            functionProcess.kill();
            throw new IOException("runner is shutting down");
        }
        return functionProcess;
    }

    /** Processes started, alive, and not yet killed, counting a shell's live descendants too. */
    public int liveProcesses() {
        int live = 0;
        for (FunctionProcess process : processes) {
            ProcessHandle handle = process.process().toHandle();
            if (handle.isAlive()) {
                live++;
            }
            live += (int) handle.descendants().filter(ProcessHandle::isAlive).count();
        }
        return live;
    }

    /** Kills every tree and waits up to {@code wait} for the processes to be gone. Idempotent. */
    public void killAll(Duration wait) {
        closed = true;
        List<FunctionProcess> all = List.copyOf(processes);
        List<ProcessHandle> handles = new ArrayList<>();
        for (FunctionProcess process : all) {
            handles.add(process.process().toHandle());
            handles.addAll(process.process().toHandle().descendants().toList());
        }
        all.forEach(FunctionProcess::kill);
        long deadline = System.nanoTime() + wait.toNanos();
        for (ProcessHandle handle : handles) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                handle.onExit().get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                log.warn("process {} still alive after kill: {}", handle.pid(), e.toString());
            }
        }
    }
}
