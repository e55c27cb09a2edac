package dev.hearth.runner.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

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
        // Stands in for the function's process: alive while the test plays its server.
        instance = ServerInstance.watch(supervisor.start("sleep 30", dir, Map.of()), new LiveLog(), line -> { },
                line -> { }, io);
    }

    @AfterEach
    void stop() {
        instance.kill();
        io.shutdownNow();
    }

    /**
     * The server begins to listen 60 ms after the wait begins; the wait ends within a few ms of it (with a fixed
     * 50 ms poll it ended 40 ms after). The median of several starts, so one unlucky slice of a loaded CPU
     * does not decide it.
     */
    @Test
    void seesTheServerAcceptingWithinMillisecondsOfItsListen() throws Exception {
        List<Long> lagsMs = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            lagsMs.add(lagAfterListen(60));
        }
        Collections.sort(lagsMs);
        assertThat(lagsMs.get(lagsMs.size() / 2)).as("median ms from listen to seen accepting, of %s", lagsMs)
                .isLessThan(8);
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

    private long lagAfterListen(long listenAfterMs) throws Exception {
        int port = freePort();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        CompletableFuture<Long> listened = new CompletableFuture<>();
        CompletableFuture<ServerSocket> server = CompletableFuture.supplyAsync(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(listenAfterMs);
                ServerSocket socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
                listened.complete(System.nanoTime());
                return socket;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, io);
        ServerInstance.Readiness readiness = instance.awaitAccepting(address, 10_000, () -> false);
        long seen = System.nanoTime();
        server.get(5, TimeUnit.SECONDS).close();
        assertThat(readiness).isEqualTo(ServerInstance.Readiness.ACCEPTING);
        return TimeUnit.NANOSECONDS.toMillis(seen - listened.get());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
