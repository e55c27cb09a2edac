package dev.hearth.runner.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import dev.hearth.runner.protocol.CommandResult;
import dev.hearth.runner.protocol.RunnerProtocol;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * One command run to its end: {@code sh -c} in a directory with an environment, stdout and stderr each read to its
 * end (the first {@link RunnerProtocol#MAX_COMMAND_OUTPUT_BYTES} kept), the whole process tree killed at the
 * timeout and reaped after a normal exit (a background child cannot keep the answer waiting).
 */
public final class CommandRun {

    private final FunctionProcess process;
    private final CompletableFuture<CommandResult> result;

    private CommandRun(FunctionProcess process, CompletableFuture<CommandResult> result) {
        this.process = process;
        this.result = result;
    }

    /** Completes once the command ended and its output is read. */
    public CompletableFuture<CommandResult> result() {
        return result;
    }

    /** Ends the command's whole process tree now (its caller left); the result then says it timed out. */
    public void kill() {
        process.kill();
    }

    /** Starts the command. Blocking (process start): call off event loops. */
    public static CommandRun start(String command, Path directory, Map<String, String> env,
                                                         long timeoutMs, ProcessSupervisor supervisor, Executor io)
            throws IOException {
        long started = System.nanoTime();
        FunctionProcess process = supervisor.start(command, directory, env);
        process.process().getOutputStream().close();
        CompletableFuture<byte[]> stdout = read(process.process().getInputStream(), io);
        CompletableFuture<byte[]> stderr = read(process.process().getErrorStream(), io);
        Disposable timeout = Schedulers.parallel().schedule(process::kill, timeoutMs, TimeUnit.MILLISECONDS);
        return new CommandRun(process, process.onExit().thenComposeAsync(exited -> {
            timeout.dispose();
            if (!process.killed()) {
                process.reap();
            }
            return stdout.thenCombine(stderr, (out, err) -> {
                boolean timedOut = process.killed();
                String output = new String(out, StandardCharsets.UTF_8) + new String(err, StandardCharsets.UTF_8);
                return new CommandResult(output, timedOut ? -1 : process.process().exitValue(), timedOut,
                        (System.nanoTime() - started) / 1e6);
            });
        }, io));
    }

    private static CompletableFuture<byte[]> read(InputStream output, Executor io) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try (output) {
                for (int n; (n = output.read(buffer)) >= 0; ) {
                    int room = RunnerProtocol.MAX_COMMAND_OUTPUT_BYTES - kept.size();
                    kept.write(buffer, 0, Math.min(room, n));
                }
            } catch (IOException e) {
                // The process was killed and its pipe closed: what was read is the output.
            }
            return kept.toByteArray();
        }, io);
    }
}
