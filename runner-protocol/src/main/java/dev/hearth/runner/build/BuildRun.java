package dev.hearth.runner.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.runner.process.FunctionProcess;
import dev.hearth.runner.process.ProcessSupervisor;
import dev.hearth.runner.protocol.BuildRequest;
import dev.hearth.runner.protocol.RunnerProtocol;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * One build command running: {@code sh -c} in the build directory, stdout and stderr pumped into the
 * {@link BuildLog} as they come, the whole process tree killed at the timeout, and the log ended with the exit code
 * once the output is drained. Blocking pieces (process start, pumps) run on the runner's I/O threads.
 */
public final class BuildRun {

    private static final Logger log = LoggerFactory.getLogger(BuildRun.class);

    private BuildRun() {
    }

    /**
     * Starts {@code command} and returns at once; {@code ended} runs once the process exited or was killed and its output
     * is drained, just <em>before</em> the log's end record is written: whoever reads that record (the gateway, which
     * then asks for the artifact) must find the runner built. Blocking (process start): call off event loops.
     */
    public static void start(String command, Path directory, Map<String, String> env, long timeoutMs,
                             BuildLog buildLog, ProcessSupervisor supervisor, Executor io, Runnable ended)
            throws IOException {
        long started = System.nanoTime();
        FunctionProcess process = supervisor.start(command, directory, env);
        process.process().getOutputStream().close();
        CompletableFuture<Void> stdout = pump(process.process().getInputStream(), buildLog, io);
        CompletableFuture<Void> stderr = pump(process.process().getErrorStream(), buildLog, io);
        Disposable timeout = Schedulers.parallel().schedule(process::kill, timeoutMs, TimeUnit.MILLISECONDS);
        process.onExit().thenRunAsync(() -> {
            timeout.dispose();
            // Background children of the command could hold its output open: the tree goes with it.
            if (!process.killed()) {
                process.reap();
            }
            CompletableFuture.allOf(stdout, stderr).whenComplete((done, error) -> {
                boolean timedOut = process.killed();
                int exitCode = timedOut ? -1 : process.process().exitValue();
                double durationMs = (System.nanoTime() - started) / 1e6;
                log.info("build ended with exit code {}{} in {} ms", exitCode, timedOut ? " (timed out)" : "",
                        Math.round(durationMs));
                ended.run();
                buildLog.end(exitCode, timedOut, durationMs);
            });
        }, io);
    }

    private static CompletableFuture<Void> pump(InputStream output, BuildLog buildLog, Executor io) {
        return CompletableFuture.runAsync(() -> {
            try (output) {
                Utf8Chunks.pump(output, RunnerProtocol.BUILD_CHUNK_BYTES, buildLog::append);
            } catch (IOException e) {
                log.debug("build output closed: {}", e.toString());
            }
        }, io);
    }

    /**
     * The build's environment: the runner's {@code PATH}, {@code HOME} and {@code TMPDIR}, then the build's own
     * variables, which may override them.
     */
    public static Map<String, String> environment(BuildRequest build, Path home, Path tmp) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("HOME", home.toString());
        env.put("TMPDIR", tmp.toString());
        env.putAll(build.env());
        return env;
    }

    /**
     * The command as it runs here. It names paths as an Open Runtimes container has them: the source archive at
     * {@code /tmp/code.tar.gz} (or {@code code.tar}) and the code directory {@code /mnt/code}. Where this runner's
     * tmp and code directories are elsewhere (a local pod's work directory), exactly those paths are rewritten;
     * nothing else in the command is touched.
     */
    public static String localize(String command, Path tmpDir, Path codeDir) {
        String local = command;
        if (!tmpDir.equals(Path.of("/tmp"))) {
            local = local.replace("/tmp/code.tar", tmpDir + "/code.tar");
        }
        if (!codeDir.equals(Path.of("/mnt/code"))) {
            local = local.replace("/mnt/code", codeDir.toString());
        }
        return local;
    }
}
