package dev.hearth.runner.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.runner.logs.LiveLog;
import dev.hearth.runner.process.ProcessSupervisor;

class ServerInstanceTest {

    @TempDir
    Path dir;

    private final ProcessSupervisor supervisor = new ProcessSupervisor();
    private ExecutorService io;
    private ServerInstance instance;

    @BeforeEach
    void startProcess() throws IOException {
        io = Executors.newCachedThreadPool();
        // Stands in for the function's process: alive until killed, while the test plays its server.
        instance = ServerInstance.watch(supervisor.start("tail -f /dev/null", dir, Map.of()), new LiveLog(), line -> { },
                line -> { }, io);
    }

    @AfterEach
    void stop() {
        instance.kill();
        io.shutdownNow();
    }

    /**
     * The server begins to listen between two connect attempts (the wait asks {@code givenUp} before each one; the
     * third time, it binds the port): the very next attempt sees it. How soon that attempt comes is
     * {@link AcceptPolling}'s (AcceptPollingTest); no clock decides this test.
     */
    @Test
    void seesTheServerAtTheFirstAttemptAfterItListens() throws Exception {
        int port = freePort();
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<ServerSocket> server = new AtomicReference<>();
        try {
            ServerInstance.Readiness readiness = instance.awaitAccepting(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000, () -> {
                        if (attempts.incrementAndGet() == 3) {
                            server.set(listen(port));
                        }
                        return false;
                    });

            assertThat(readiness).isEqualTo(ServerInstance.Readiness.ACCEPTING);
            assertThat(attempts).as("attempts: two refused, the third accepted").hasValue(3);
        } finally {
            if (server.get() != null) {
                server.get().close();
            }
        }
    }

    @Test
    void stopsWhenGivenUp() {
        ServerInstance.Readiness readiness = instance.awaitAccepting(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort()), 10_000, () -> true);
        assertThat(readiness).isEqualTo(ServerInstance.Readiness.GIVEN_UP);
    }

    @Test
    void reportsAnExitedProcessInsteadOfWaiting() {
        instance.kill();
        ServerInstance.Readiness readiness = instance.awaitAccepting(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort()), 10_000, () -> false);
        assertThat(readiness).isEqualTo(ServerInstance.Readiness.EXITED);
    }

    @Test
    void timesOutWhenNothingListens() {
        ServerInstance.Readiness readiness = instance.awaitAccepting(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort()), 100, () -> false);
        assertThat(readiness).isEqualTo(ServerInstance.Readiness.TIMED_OUT);
    }

    private static ServerSocket listen(int port) {
        try {
            return new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
