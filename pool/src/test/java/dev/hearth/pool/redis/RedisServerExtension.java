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
 * lost its data. The server is a Testcontainers container when a Docker Engine is reachable, otherwise a local
 * process ({@link RedisServer} says how to choose); the tests cannot tell them apart.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(10);

    private Path dir;
    private int port;
    private RedisServer server;
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
        server = RedisServer.create(port, dir);
        shutdownHook = new Thread(this::closeServer, "redis-server-killer");
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
        closeServer();
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
        if (server.running()) {
            return;
        }
        server.start();
        awaitPong();
    }

    /** Kills the server (SIGKILL, as a crash looks to clients); {@link #start()} brings it back on the same port. */
    public synchronized void stop() {
        server.kill();
    }

    /** Freezes the server (SIGSTOP, or the container's freezer): connections stay open but nothing answers. */
    public synchronized void pause() {
        server.pause();
    }

    /** Undoes {@link #pause()}. */
    public synchronized void resume() {
        server.resume();
    }

    public boolean running() {
        return server != null && server.running();
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

    private void awaitPong() {
        try {
            await("redis-server answers PING on port " + port).atMost(STARTUP).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        if (!server.running()) {
                            throw new IllegalStateException("redis-server stopped on port " + port + "; log:\n"
                                    + server.logTail());
                        }
                        return pong();
                    });
        } catch (ConditionTimeoutException e) {
            server.kill();
            throw new IllegalStateException("redis-server did not answer PING on port " + port + " within " + STARTUP
                    + "; log:\n" + server.logTail());
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

    private synchronized void closeServer() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException | RuntimeException e) {
            System.err.println("could not stop the Redis test server on port " + port + ": " + e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
