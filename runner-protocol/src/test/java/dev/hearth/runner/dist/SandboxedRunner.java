package dev.hearth.runner.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.hearth.runner.RunnerConfig;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.client.RunnerTarget;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * {@code /opt/hearth/runner} started the way a pod starts it: inside {@link ForeignRootFs} (chroot), as PID 1 of
 * its own PID namespace, as uid/gid 10001 with no supplementary groups, with the distribution mounted read-only
 * at {@code /opt/hearth} and a fresh tmpfs at {@code /tmp}; it shares the host's network, so it is reached
 * over loopback.
 *
 * <p>The namespaces come from {@code unshare}; the mounts are private to the sandbox and vanish with it. As
 * root that is all; as another user {@code unshare --user --map-root-user} adds a user namespace (where the
 * kernel allows unprivileged ones), and the runner then runs as the invoking user instead of uid 10001.
 *
 * <p>The image's environment is adversarial: {@code LD_LIBRARY_PATH} and {@code LD_PRELOAD} point at musl's
 * libc, which glibc's loader would load into the JVM if the launcher passed them on.
 */
final class SandboxedRunner implements AutoCloseable {

    static final String SECRET = "distribution-test-secret";
    static final int RUN_AS = 10001;

    private static final String SETUP = """
            set -e
            root=$1; dist=$2
            mount -t proc proc "$root/proc"
            mount --rbind /dev "$root/dev"
            mount --bind "$dist" "$root/opt/hearth"
            mount -o remount,bind,ro "$root/opt/hearth"
            mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
            shift 2
            exec chroot "$@" "$root" /bin/env LD_LIBRARY_PATH=/lib LD_PRELOAD=/lib/ld-musl-x86_64.so.1 \
                /opt/hearth/runner
            """;

    final RunnerTarget target;
    private final Process unshare;
    private final ProcessHandle launcher;
    private final Path namespace;
    private final Path log;
    private Duration startToHealthy;
    private boolean closed;

    private SandboxedRunner(Process unshare, ProcessHandle launcher, Path namespace, Path log, int port) {
        this.unshare = unshare;
        this.launcher = launcher;
        this.namespace = namespace;
        this.log = log;
        this.target = new RunnerTarget("127.0.0.1", port, SECRET, 0);
    }

    /** Starts the runner and waits until its health answers. */
    static SandboxedRunner start(ForeignRootFs rootFs, RunnerDistribution dist, RunnerClient client, Path log)
            throws Exception {
        return start(rootFs, dist, client, log, "");
    }

    /** @param javaOpts the pod's {@code HEARTH_RUNNER_JAVA_OPTS}, appended to the launcher's JVM flags */
    static SandboxedRunner start(ForeignRootFs rootFs, RunnerDistribution dist, RunnerClient client, Path log,
                                 String javaOpts) throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of("unshare"));
        if (!Prerequisites.isRoot()) {
            command.addAll(List.of("--user", "--map-root-user"));
        }
        command.addAll(List.of("--mount", "--pid", "--fork", "--", "sh", "-c", SETUP, "sandbox",
                rootFs.root().toString(), dist.installed().toString()));
        if (Prerequisites.isRoot()) {
            command.add("--userspec=" + RUN_AS + ":" + RUN_AS);
            command.add("--groups=");
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        builder.environment().put(RunnerConfig.SECRET_ENV, SECRET);
        builder.environment().put(RunnerConfig.HOST_ENV, "127.0.0.1");
        builder.environment().put(RunnerConfig.PORT_ENV, Integer.toString(port));
        if (!javaOpts.isEmpty()) {
            builder.environment().put("HEARTH_RUNNER_JAVA_OPTS", javaOpts);
        }

        long started = System.nanoTime();
        Process unshare = builder.start();
        ProcessHandle launcher = awaitLauncher(unshare, log);
        Path namespace = Files.readSymbolicLink(Path.of("/proc", Long.toString(launcher.pid()), "ns", "pid"));
        SandboxedRunner runner = new SandboxedRunner(unshare, launcher, namespace, log, port);
        try {
            awaitHealthy(runner, client);
        } catch (Throwable e) {
            runner.kill();
            throw e;
        }
        runner.startToHealthy = Duration.ofNanos(System.nanoTime() - started);
        return runner;
    }

    /** From starting unshare to the first health answer: namespaces, mounts, the launcher and the JVM. */
    Duration startToHealthy() {
        return startToHealthy;
    }

    /** The launcher is unshare's only child: the shell that execs chroot, which execs env, then the runner. */
    private static ProcessHandle awaitLauncher(Process unshare, Path log) throws Exception {
        try {
            return await().alias("unshare started the sandbox's launcher")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(5))
                    .failFast("unshare exited before starting the launcher", () -> !unshare.isAlive())
                    .until(() -> unshare.children().findFirst(), Optional::isPresent)
                    .get();
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            unshare.destroyForcibly();
            throw new AssertionError("the sandbox did not start:\n" + Files.readString(log), e);
        }
    }

    private static void awaitHealthy(SandboxedRunner runner, RunnerClient client) {
        try {
            await().alias("the runner answers health")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(10))
                    .failFast("the runner exited", () -> !runner.unshare.isAlive())
                    // Refused connections and timeouts until the runner listens.
                    .ignoreExceptionsInstanceOf(RuntimeException.class)
                    .until(() -> client.health(runner.target.host(), runner.target.port())
                            .block(Duration.ofSeconds(2)) != null);
        } catch (TerminalFailureException exited) {
            throw new AssertionError("the runner exited with " + runner.unshare.exitValue() + ":\n"
                    + runner.output(), exited);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the runner did not answer health within 30 s:\n" + runner.output(), e);
        }
    }

    /** The processes of the sandbox's PID namespace, seen from the host. */
    List<ProcessHandle> processes() {
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            return proc.filter(p -> p.getFileName().toString().matches("[0-9]+"))
                    .filter(p -> namespace.equals(pidNamespace(p)))
                    .map(p -> ProcessHandle.of(Long.parseLong(p.getFileName().toString())))
                    .flatMap(Optional::stream)
                    .toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Children of PID 1 other than the JVM, as {@code "pid (name) state ppid"}: orphans the kernel re-parented to
     * PID 1, alive or, if nobody waited for them, zombies ({@code Z}).
     */
    List<String> orphans() {
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            return proc.filter(p -> p.getFileName().toString().matches("[0-9]+"))
                    .map(SandboxedRunner::stat)
                    .filter(stat -> stat.endsWith(" " + launcher.pid()) && !stat.contains("(java)"))
                    .toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    ProcessHandle launcher() {
        return launcher;
    }

    /** The files mapped into the JVM, as the host sees their paths (under the sandbox's root). */
    List<String> jvmMaps() throws IOException {
        ProcessHandle jvm = launcher.children().findFirst().orElseThrow();
        return Files.readAllLines(Path.of("/proc", Long.toString(jvm.pid()), "maps"));
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /**
     * Stops the runner as the kubelet does, with SIGTERM to PID 1, and waits for the sandbox to end.
     *
     * @return the launcher's exit status as unshare reports it
     */
    int terminate(Duration wait) throws InterruptedException {
        closed = true;
        launcher.destroy();
        if (!unshare.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new AssertionError("the runner did not exit within " + wait + " of SIGTERM:\n" + output());
        }
        return unshare.exitValue();
    }

    /** SIGKILL to PID 1: the kernel then kills every process of the namespace. */
    private void kill() throws InterruptedException {
        launcher.destroyForcibly();
        unshare.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (!closed) {
            closed = true;
            kill();
        }
    }

    private static Path pidNamespace(Path procEntry) {
        try {
            return Files.readSymbolicLink(procEntry.resolve("ns/pid"));
        } catch (IOException | SecurityException gone) {
            return null;
        }
    }

    /** {@code "<pid> (<name>) <state> <ppid>"} from {@code /proc/<pid>/stat}, or "" once gone. */
    private static String stat(Path procEntry) {
        try {
            String stat = Files.readString(procEntry.resolve("stat"));
            int nameEnd = stat.lastIndexOf(')');
            String[] after = stat.substring(nameEnd + 2).split(" ", 3);
            return stat.substring(0, nameEnd + 1) + " " + after[0] + " " + after[1];
        } catch (IOException | RuntimeException gone) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void assertNoProcessLeft(SandboxedRunner runner) {
        assertThat(runner.processes()).as("processes left in the sandbox").isEmpty();
    }
}
