package dev.hearth.gateway.storage;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * S3Mock (Adobe) as a process of its own, for the test class that registers it: started before the class, ready
 * once it answers S3's ListBuckets, stopped (and its files deleted) after the class. The executable jar comes from
 * Maven ({@code hearth.s3mock.jar}, copied by the gateway's build); its JUnit extension is not used because it
 * would put Spring MVC and Tomcat on the gateway's test classpath.
 *
 * <p>The S3 API is served on a loopback port with TLS off; S3Mock's second (plain) connector cannot be switched
 * off, so it gets an ephemeral port. {@link #stop()} and {@link #start()} may be called within the class: the
 * port and the stored files survive a restart.
 */
public final class S3MockProcess implements BeforeAllCallback, AfterAllCallback {

    public static final String BUCKET = "hearth-test";
    /** S3Mock starts in about 6 s alone; a loaded 2-core machine running other builds needs much more. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final int port = freePort();
    private Path root;
    private volatile Process process;
    private S3AsyncClient client;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        root = Files.createTempDirectory("hearth-s3mock");
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        stop();
        if (client != null) {
            client.close();
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    /** Starts S3Mock and waits until it answers. */
    public void start() {
        String jar = System.getProperty("hearth.s3mock.jar", "target/s3mock/s3mock-exec.jar");
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-jar", jar,
                "--server.address=127.0.0.1", "--server.port=" + port, "--server.ssl.enabled=false",
                "--http.port=0",
                "--com.adobe.testing.s3mock.store.root=" + root.resolve("store"),
                "--com.adobe.testing.s3mock.store.retain-files-on-exit=true",
                "--com.adobe.testing.s3mock.store.initial-buckets=" + BUCKET);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("s3mock.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start S3Mock from " + jar, e);
        }
        // A test JVM that dies without running afterAll (an OutOfMemoryError in the heap-bound fork) stops it too.
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroy, "s3mock-stop-" + started.pid()));
        await("S3Mock answering on port " + port).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(this::answers);
    }

    /** Stops S3Mock; the port then refuses connections. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /** Whether {@code handle} is S3Mock's process (for checks that no other child process is left). */
    public boolean runs(ProcessHandle handle) {
        Process running = process;
        return running != null && running.pid() == handle.pid();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Settings of a device on the test bucket. */
    public S3Settings settings(String keyPrefix, int partSize) {
        return new S3Settings(endpoint(), "us-east-1", BUCKET, keyPrefix, true, "test-key", "test-secret",
                partSize, 2, Duration.ofSeconds(2), Duration.ofSeconds(60));
    }

    /** A client of its own, to look at the bucket behind a device's back. */
    public synchronized S3AsyncClient client() {
        if (client == null) {
            client = S3Clients.create(settings("", S3Settings.MIN_PART_SIZE));
        }
        return client;
    }

    private boolean answers() throws InterruptedException {
        if (!process.isAlive()) {
            throw new IllegalStateException("S3Mock exited with " + process.exitValue() + "; see "
                    + root.resolve("s3mock.log"));
        }
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(endpoint()).timeout(Duration.ofSeconds(5))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
