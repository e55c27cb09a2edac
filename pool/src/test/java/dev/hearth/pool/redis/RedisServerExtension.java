package dev.hearth.pool.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} on a free loopback port, for integration tests in any module (through the
 * pool test-jar). Register it as a static field:
 * <pre>
 * &#64;RegisterExtension
 * static final RedisServerExtension redis = new RedisServerExtension();
 * </pre>
 * It starts before the class's tests and is killed after them. {@link #stop()} and {@link #start()}
 * simulate an outage on the same port; data does not survive a stop (no persistence), like a Redis that
 * lost its data. The binary is {@code $REDIS_SERVER} or {@code redis-server} on the PATH; when it is
 * missing the tests FAIL with instructions: an absent Redis must never look like a green build.
 * (Testcontainers would do when a Docker engine exists; there is none on the build machines.)
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(10);

    private Path dir;
    private int port;
    private Process process;
    private Thread shutdownHook;
    private final java.util.List<RedisConnections> connections = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        open();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
    }

    /** Picks the port and starts the server; for use outside JUnit (benchmarks), paired with {@link #close()}. */
    public void open() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("hearth-redis-");
        port = freePort();
        shutdownHook = new Thread(this::kill, "redis-server-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        start();
    }

    /** The connection set the test class shares, opened on first use; closed with the server. */
    public synchronized RedisConnections shared() {
        if (connections.isEmpty()) {
            connect();
        }
        return connections.get(0);
    }

    /** A Lettuce connection set (one replica's) to this server; closed with the server. */
    public RedisConnections connect() {
        RedisConnections opened = RedisConnections.connect(RedisConfig.of(url()));
        connections.add(opened);
        return opened;
    }

    /** Closes the connections it handed out, kills the server and deletes its directory. */
    @Override
    public void close() throws IOException {
        connections.forEach(RedisConnections::close);
        connections.clear();
        kill();
        if (shutdownHook != null) {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
            shutdownHook = null;
        }
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts the server (again) on the same port and waits until it answers PING. */
    public synchronized void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        Path log = dir.resolve("redis.log");
        process = new ProcessBuilder(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(),
                "--logfile", log.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.out").toFile())
                .start();
        awaitPong(log);
    }

    /** Kills the server (SIGKILL, as a crash looks to clients); {@link #start()} brings it back on the same port. */
    public void stop() {
        kill();
    }

    /** Freezes the server (SIGSTOP): connections stay open but nothing answers, as with a hung Redis. */
    public synchronized void pause() {
        signal("-STOP");
    }

    /** Undoes {@link #pause()}. */
    public synchronized void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        if (process == null) {
            throw new IllegalStateException("redis-server is not running");
        }
        try {
            int exit = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill " + signal + " of redis-server failed with " + exit);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot signal redis-server", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    /** Empties every database; between tests that share the server. */
    public void flushAll() {
        command("FLUSHALL");
    }

    /** {@code INFO commandstats}' call count of one command ({@code evalsha}, {@code eval}, ...). */
    public long calls(String command) {
        String prefix = "cmdstat_" + command.toLowerCase() + ":calls=";
        return command("INFO", "commandstats").lines()
                .filter(line -> line.startsWith(prefix))
                .map(line -> line.substring(prefix.length(), line.indexOf(',')))
                .mapToLong(Long::parseLong)
                .findFirst()
                .orElse(0);
    }

    /** Sends one command in RESP and answers the reply's text (simple, integer or bulk replies). */
    public String command(String... args) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("*" + args.length + "\r\n");
            for (String arg : args) {
                request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                        .append(arg).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply(socket.getInputStream(), args[0]);
        } catch (IOException e) {
            throw new IllegalStateException("redis-server on port " + port + " did not answer " + args[0], e);
        }
    }

    private static String reply(InputStream in, String command) throws IOException {
        String header = line(in);
        switch (header.charAt(0)) {
            case '+', ':' -> {
                return header.substring(1);
            }
            case '$' -> {
                int length = Integer.parseInt(header.substring(1));
                if (length < 0) {
                    return null;
                }
                String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                line(in);
                return body;
            }
            default -> throw new IllegalStateException(command + " failed: " + header);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed mid-reply");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private void awaitPong(Path log) throws IOException {
        try {
            await("redis-server answers PING on port " + port).atMost(STARTUP).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("redis-server exited with " + process.exitValue()
                                    + " on port " + port + "; log:\n" + tail(log));
                        }
                        return pong();
                    });
        } catch (ConditionTimeoutException e) {
            kill();
            throw new IllegalStateException("redis-server did not answer PING on port " + port + " within " + STARTUP
                    + "; log:\n" + tail(log));
        }
    }

    private boolean pong() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(1_000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            return "+PONG".equals(line(socket.getInputStream()));
        } catch (IOException e) {
            return false;
        }
    }

    private synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    private static String binary() {
        String configured = System.getenv("REDIS_SERVER");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(entry, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("redis-server is not installed (not on PATH, REDIS_SERVER unset): the Redis"
                + " integration tests need it. Install it with 'apt-get install -y redis-server' (or brew install"
                + " redis) or point REDIS_SERVER at the binary.");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
