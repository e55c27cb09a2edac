package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.client.RunnerCallException;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.client.RunnerTarget;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.Specialization;
import dev.hearth.runner.testing.TarGz;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Mono;

/**
 * A runner told {@code HEARTH_RUNNER_SOCKET} serves the protocol on that Unix domain socket only, and the client reaches
 * it through a {@code unix:} target: what a Docker pod in a network namespace of its own needs.
 */
class RunnerSocketIT {

    private static final Duration BLOCK = Duration.ofSeconds(30);
    private static final String SECRET = "socket-secret";

    @TempDir
    Path dir;

    private final RunnerClient client = RunnerClient.create(Duration.ofSeconds(2));

    @Test
    void servesSpecializeAndExecutionsOnTheSocketAndNothingOnTcp() throws IOException {
        int port = freePort();
        Path socket = dir.resolve("sock/runner.sock");
        Files.createDirectories(socket.getParent());
        Files.writeString(socket, "left by a dead runner");
        RunnerConfig config = RunnerConfig.fromEnvironment(Map.of(
                RunnerConfig.SECRET_ENV, SECRET,
                RunnerConfig.HOST_ENV, "127.0.0.1",
                RunnerConfig.PORT_ENV, String.valueOf(port),
                RunnerConfig.WORK_DIR_ENV, dir.resolve("work").toString(),
                RunnerConfig.SOCKET_ENV, socket.toString()));
        try (Runner runner = Runner.start(config)) {
            assertThat(Files.getPosixFilePermissions(socket)).as("the socket is open to the gateway's user")
                    .isEqualTo(PosixFilePermissions.fromString("rw-rw-rw-"));
            assertThat(tcpAnswers(port)).as("nothing listens on TCP port " + port).isFalse();
            String address = RunnerTarget.socketAddress(socket.toString());
            assertThat(client.health(address, port).block(BLOCK).specialized()).isFalse();

            RunnerTarget target = new RunnerTarget(address, port, SECRET, 0);
            assertThat(target.toString()).doesNotContain(SECRET).contains(socket.toString());
            client.specialize(target, new Specialization("exec", "sh main.sh", "main.sh", Map.of(), 10_000),
                    Mono.just(Unpooled.wrappedBuffer(TarGz.builder()
                            .file("main.sh", "printf 'over the socket %s' \"$(cat)\"", 0755).build())))
                    .block(BLOCK);
            for (int i = 0; i < 3; i++) {
                assertThat(execute(target, "call " + i)).isEqualTo("over the socket call " + i);
            }
            RunnerTarget wrongSecret = new RunnerTarget(address, port, "not-the-secret", 0);
            assertThatThrownBy(() -> execute(wrongSecret, "x")).isInstanceOf(RunnerCallException.class);
        }
    }

    @Test
    void aRelativeSocketPathIsRefused() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(Map.of(RunnerConfig.SECRET_ENV, SECRET,
                RunnerConfig.SOCKET_ENV, "run/runner.sock")))
                .hasMessageContaining(RunnerConfig.SOCKET_ENV).hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> new RunnerTarget("unix:run/runner.sock", 8080, SECRET, 0))
                .hasMessageContaining("unix:/absolute/path");
    }

    private String execute(RunnerTarget target, String body) {
        StringBuilder output = new StringBuilder();
        client.execute(target, new ExecutionRequest("POST", "/", Map.of(), 10_000),
                        Mono.fromSupplier(() -> Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)))
                .doOnNext(event -> {
                    if (event instanceof ExecutionEvent.Body chunk) {
                        output.append(chunk.chunk().toString(StandardCharsets.UTF_8));
                        chunk.chunk().release();
                    }
                })
                .blockLast(BLOCK);
        return output.toString();
    }

    private static boolean tcpAnswers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
