package dev.hearth.runner;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How a runner starts: where it listens, the pod secret every call but health must carry, where functions
 * live, and how many executions may run at once.
 *
 * @param host           address to bind, e.g. {@code 0.0.0.0} in a pod or {@code 127.0.0.1} in tests
 * @param port           TCP port, {@code 0} for an ephemeral one
 * @param secret         the pod secret; never logged
 * @param workDir        the runner's work directory: {@code home/} and the build log live here
 * @param maxConcurrency executions allowed in flight; more are answered {@code 503 busy}
 * @param codeDir        where the function's code goes: extracted at specialization, a build's output
 *                       ({@code /mnt/code} in a pod; {@code <workDir>/code} by default)
 * @param tmpDir         the function's temporary directory; a build's source archive arrives here unextracted
 *                       ({@code /tmp} in a pod; {@code <workDir>/tmp} by default)
 * @param buildDir       where a build command runs (an image's own working directory where its build scripts
 *                       are; {@code codeDir} by default), and where an Open Runtimes server starts
 * @param openRuntimes   where an {@code openruntimes} function's server listens and leaves its log files
 * @param socket         a Unix domain socket to listen on instead of {@code host:port}, or {@code null}: a Docker
 *                       pod with a network namespace of its own is reached through it (a bind-mounted directory);
 *                       {@code host} then still says which loopback address the runner's own children use
 */
public record RunnerConfig(String host, int port, String secret, Path workDir, int maxConcurrency, Path codeDir,
                           Path tmpDir, Path buildDir, OpenRuntimesServer openRuntimes, Path socket) {

    public static final String HOST_ENV = "HEARTH_RUNNER_HOST";
    public static final String PORT_ENV = "HEARTH_RUNNER_PORT";
    public static final String SECRET_ENV = "HEARTH_RUNNER_SECRET";
    public static final String WORK_DIR_ENV = "HEARTH_RUNNER_WORK_DIR";
    public static final String MAX_CONCURRENCY_ENV = "HEARTH_RUNNER_MAX_CONCURRENCY";
    public static final String CODE_DIR_ENV = "HEARTH_RUNNER_CODE_DIR";
    public static final String TMP_DIR_ENV = "HEARTH_RUNNER_TMP_DIR";
    public static final String BUILD_DIR_ENV = "HEARTH_RUNNER_BUILD_DIR";
    public static final String OPEN_RUNTIMES_PORT_ENV = "HEARTH_RUNNER_OPEN_RUNTIMES_PORT";
    public static final String LOGS_DIR_ENV = "HEARTH_RUNNER_LOGS_DIR";
    public static final String SOCKET_ENV = "HEARTH_RUNNER_SOCKET";

    /**
     * The Open Runtimes server of an {@code openruntimes} function, as its image fixes it.
     *
     * @param port    where it listens on loopback ({@code 3000} in every image)
     * @param logsDir where it writes {@code <id>_logs.log} and {@code <id>_errors.log} ({@code /mnt/logs} in a pod;
     *                {@code <workDir>/logs} by default)
     */
    public record OpenRuntimesServer(int port, Path logsDir) {

        public static final int IMAGE_PORT = 3000;

        public OpenRuntimesServer {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("the Open Runtimes port must be between 1 and 65535, but was "
                        + port);
            }
        }
    }

    /** A runner on TCP. */
    public RunnerConfig(String host, int port, String secret, Path workDir, int maxConcurrency, Path codeDir,
                        Path tmpDir, Path buildDir, OpenRuntimesServer openRuntimes) {
        this(host, port, secret, workDir, maxConcurrency, codeDir, tmpDir, buildDir, openRuntimes, null);
    }

    /** A runner whose code, tmp, build and logs directories are under its work directory. */
    public RunnerConfig(String host, int port, String secret, Path workDir, int maxConcurrency, Path codeDir,
                        Path tmpDir, Path buildDir) {
        this(host, port, secret, workDir, maxConcurrency, codeDir, tmpDir, buildDir, null);
    }

    /** A runner whose code, tmp and build directories are under its work directory. */
    public RunnerConfig(String host, int port, String secret, Path workDir, int maxConcurrency) {
        this(host, port, secret, workDir, maxConcurrency, null, null, null);
    }

    public RunnerConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank, but was '" + host + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, but was " + port);
        }
        if (secret == null || secret.isEmpty()) {
            // The value itself is never put in a message: it is the pod secret.
            throw new IllegalArgumentException("secret must not be empty");
        }
        Objects.requireNonNull(workDir, "workDir must not be null");
        workDir = workDir.toAbsolutePath().normalize();
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("maxConcurrency must be at least 1, but was " + maxConcurrency);
        }
        codeDir = (codeDir == null ? workDir.resolve("code") : codeDir).toAbsolutePath().normalize();
        tmpDir = (tmpDir == null ? workDir.resolve("tmp") : tmpDir).toAbsolutePath().normalize();
        buildDir = (buildDir == null ? codeDir : buildDir).toAbsolutePath().normalize();
        int openRuntimesPort = openRuntimes == null ? OpenRuntimesServer.IMAGE_PORT : openRuntimes.port();
        Path logsDir = openRuntimes == null || openRuntimes.logsDir() == null ? workDir.resolve("logs")
                : openRuntimes.logsDir();
        openRuntimes = new OpenRuntimesServer(openRuntimesPort, logsDir.toAbsolutePath().normalize());
        if (socket != null && !socket.isAbsolute()) {
            throw new IllegalArgumentException(SOCKET_ENV + " must be an absolute path, but was '" + socket + "'");
        }
    }

    /** Reads the {@code HEARTH_RUNNER_*} variables; only the secret is required. */
    public static RunnerConfig fromEnvironment(Map<String, String> env) {
        String secret = env.get(SECRET_ENV);
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException(SECRET_ENV + " is required");
        }
        return new RunnerConfig(
                env.getOrDefault(HOST_ENV, "0.0.0.0"),
                intValue(env, PORT_ENV, 8080),
                secret,
                Path.of(env.getOrDefault(WORK_DIR_ENV, "/tmp/hearth-runner")),
                intValue(env, MAX_CONCURRENCY_ENV, 256),
                path(env, CODE_DIR_ENV),
                path(env, TMP_DIR_ENV),
                path(env, BUILD_DIR_ENV),
                new OpenRuntimesServer(intValue(env, OPEN_RUNTIMES_PORT_ENV, OpenRuntimesServer.IMAGE_PORT),
                        path(env, LOGS_DIR_ENV)),
                path(env, SOCKET_ENV));
    }

    private static Path path(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : Path.of(value);
    }

    private static int intValue(Map<String, String> env, String name, int defaultValue) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, but was '" + value + "'", e);
        }
    }

    @Override
    public String toString() {
        return "RunnerConfig[host=" + host + ", port=" + port + ", secret=***, workDir=" + workDir
                + ", maxConcurrency=" + maxConcurrency + ", codeDir=" + codeDir + ", tmpDir=" + tmpDir
                + ", buildDir=" + buildDir + ", openRuntimes=" + openRuntimes + (socket == null ? "" : ", socket=" + socket)
                + "]";
    }
}
