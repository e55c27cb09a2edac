package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.client.RunnerCallException;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.client.RunnerConnections;
import dev.hearth.runner.client.RunnerTarget;
import dev.hearth.runner.client.TruncatedExecutionException;
import dev.hearth.runner.protocol.ExecutionHead;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.FrameEncoder;
import dev.hearth.runner.protocol.RunnerProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.HttpResources;
import reactor.netty.http.client.HttpClient;

/**
 * Executions over {@link RunnerConnections}, the plain-Netty client, against a real runner (and, for answers a runner
 * never gives, a scripted peer on loopback): connections are reused, given back after a refusal, closed on a cancel
 * and when their runner goes; answers arrive whole at any pace; a cut answer is an error.
 */
class RunnerConnectionsIT {

    private static final Duration BLOCK = Duration.ofSeconds(30);

    @TempDir
    Path work;

    private final RunnerConnections connections =
            new RunnerConnections(HttpResources.get(), Duration.ofSeconds(2), Duration.ofMinutes(5));
    private final RunnerClient client = new RunnerClient(HttpClient.create(), connections);
    private RunnerHarness harness;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void executionsOneAfterAnotherShareOneConnection() {
        harness = RunnerHarness.start(work);
        harness.specializeExec("cat");

        for (int i = 0; i < 5; i++) {
            String sent = "call " + i;
            assertThat(execute(harness.target, Mono.fromSupplier(() -> text(sent)))).isEqualTo(sent);
        }

        assertThat(connections.opened()).as("connections opened for five calls in a row").isEqualTo(1);
        assertThat(connections.open()).isEqualTo(1);
    }

    @Test
    void concurrentExecutionsEachHaveAConnectionAndLeaveThemForTheNext() {
        harness = RunnerHarness.start(work);
        harness.specializeExec("sleep 0.3; cat");

        List<String> answers = Flux.range(0, 3)
                .flatMap(i -> Mono.fromCallable(() -> execute(harness.target, Mono.fromSupplier(() -> text("c" + i))))
                        .subscribeOn(Schedulers.boundedElastic()))
                .collectList()
                .block(BLOCK);
        assertThat(answers).containsExactlyInAnyOrder("c0", "c1", "c2");
        long afterConcurrent = connections.opened();
        assertThat(afterConcurrent).as("one connection per execution in flight").isBetween(2L, 3L);

        execute(harness.target, Mono.empty());

        assertThat(connections.opened()).as("a later call takes an idle one").isEqualTo(afterConcurrent);
    }

    @Test
    void aRefusedCallLeavesItsConnectionForTheNext() {
        harness = RunnerHarness.start(work);
        harness.specializeExec("cat");
        RunnerTarget wrongSecret = new RunnerTarget("127.0.0.1", harness.target.port(), "not-the-secret", 0);

        assertThatThrownBy(() -> execute(wrongSecret, Mono.empty()))
                .isInstanceOfSatisfying(RunnerCallException.class, refused -> {
                    assertThat(refused.status()).isEqualTo(401);
                    assertThat(refused.code()).isEqualTo("unauthorized");
                });
        assertThat(execute(harness.target, Mono.fromSupplier(() -> text("after")))).isEqualTo("after");

        assertThat(connections.opened()).isEqualTo(1);
    }

    @Test
    void aBodyOfSeveralChunksStreamsToTheRunner() {
        harness = RunnerHarness.start(work);
        harness.specializeExec("cat");

        String echoed = execute(harness.target, Flux.just("one,", "two,", "three").map(RunnerConnectionsIT::text));

        assertThat(echoed).isEqualTo("one,two,three");
        assertThat(execute(harness.target, Mono.fromSupplier(() -> text("then")))).isEqualTo("then");
        assertThat(connections.opened()).as("a chunked request leaves the connection reusable").isEqualTo(1);
    }

    @Test
    void aSlowReaderGetsTheWholeAnswerInOrder() {
        harness = RunnerHarness.start(work);
        int size = 4 * 1024 * 1024;
        harness.specializeExec("head -c " + size + " /dev/urandom | tee answer | sha256sum > answer.sha; cat answer");

        // One event at a time, asked for from another thread: reading pauses and resumes many times.
        AtomicLong received = new AtomicLong();
        java.security.MessageDigest sha = sha256();
        List<ExecutionEvent> ends = client.execute(harness.target, request(), Mono.empty())
                .publishOn(Schedulers.single(), 1)
                .doOnNext(event -> {
                    if (event instanceof ExecutionEvent.Body body) {
                        received.addAndGet(body.chunk().readableBytes());
                        sha.update(ByteBufUtil.getBytes(body.chunk()));
                        body.chunk().release();
                    }
                })
                .filter(event -> event instanceof ExecutionEvent.End)
                .collectList()
                .block(BLOCK);

        assertThat(ends).hasSize(1);
        assertThat(received.get()).isEqualTo(size);
        String expected = readFile("answer.sha").split(" ")[0];
        assertThat(java.util.HexFormat.of().formatHex(sha.digest())).isEqualTo(expected);
    }

    @Test
    void aCancelClosesTheConnectionAndTheRunnerEndsTheExecution() throws Exception {
        harness = RunnerHarness.start(work);
        harness.specializeExec("echo $$ > shell.pid; sleep 300");
        Disposable call = client.execute(harness.target, request(), Mono.empty()).subscribe(event -> { }, error -> { });
        long pid = harness.readPid("shell.pid");

        call.dispose();

        RunnerHarness.assertGone(pid);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(connections.open()).isZero());
    }

    @Test
    void anIdleConnectionWhoseRunnerWentIsClosed() {
        harness = RunnerHarness.start(work);
        harness.specializeExec("cat");
        execute(harness.target, Mono.empty());
        assertThat(connections.open()).isEqualTo(1);

        harness.close();
        harness = null;

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(connections.open()).isZero());
    }

    @Test
    void aRunnerThatIsNotThereIsAConnectError() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        RunnerTarget nobody = new RunnerTarget("127.0.0.1", port, "s", 0);

        assertThatThrownBy(() -> execute(nobody, Mono.empty()))
                .satisfies(thrown -> assertThat(reactor.core.Exceptions.unwrap(thrown)).isInstanceOf(ConnectException.class));
        assertThat(connections.open()).isZero();
    }

    @Test
    void anAnswerCutBeforeItsEndIsTruncated() throws Exception {
        byte[] head = frame(FrameEncoder.head(UnpooledByteBufAllocator.DEFAULT, new ExecutionHead(200, Map.of())));
        // The head frame, then the connection closes mid-answer: a pod that died.
        try (ScriptedRunner peer = new ScriptedRunner(head, head.length + 100)) {
            assertThatThrownBy(() -> execute(peer.target(), Mono.empty()))
                    .isInstanceOf(TruncatedExecutionException.class);
        }
        // The head frame and a whole HTTP answer, but no END frame.
        try (ScriptedRunner peer = new ScriptedRunner(head, head.length)) {
            assertThatThrownBy(() -> execute(peer.target(), Mono.empty()))
                    .isInstanceOf(TruncatedExecutionException.class);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(connections.open()).isZero());
    }

    @Test
    void aConnectionResetMidCallIsTruncated() throws Exception {
        try (ScriptedRunner peer = new ScriptedRunner(new byte[0], ScriptedRunner.RESET)) {
            assertThatThrownBy(() -> execute(peer.target(), Mono.empty()))
                    .isInstanceOf(TruncatedExecutionException.class);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(connections.open()).isZero());
    }

    @Test
    void anAnswerThatIsNotHttpFailsTheCallAndClosesTheConnection() throws Exception {
        byte[] garbage = "SSH-2.0-OpenSSH_9.2\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (ScriptedRunner peer = new ScriptedRunner(garbage, ScriptedRunner.RAW)) {
            assertThatThrownBy(() -> execute(peer.target(), Mono.empty()))
                    .isInstanceOf(TruncatedExecutionException.class)
                    .hasMessageContaining("not valid HTTP");
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(connections.open()).isZero());
    }

    @Test
    void aHeadThatIsNotJsonFailsTheCallAndReleasesTheFramesAfterIt() throws Exception {
        // A head frame of garbage and a body frame in the same chunk: the body frame is released, not handed on
        // (the suite's leak guard fails this class otherwise).
        ByteBuf answer = Unpooled.buffer().writeByte('H').writeInt(3).writeBytes("{{{".getBytes(StandardCharsets.US_ASCII))
                .writeBytes(frame(FrameEncoder.body(UnpooledByteBufAllocator.DEFAULT, text("body"))));
        byte[] bytes = frame(answer);
        try (ScriptedRunner peer = new ScriptedRunner(bytes, bytes.length)) {
            assertThatThrownBy(() -> execute(peer.target(), Mono.empty()))
                    .isNotInstanceOf(AssertionError.class)
                    .isNotInstanceOf(TruncatedExecutionException.class);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(connections.open()).isZero());
    }

    /** Runs an execution and answers its body as text, asserting head and end arrive around it. */
    private String execute(RunnerTarget target, org.reactivestreams.Publisher<ByteBuf> body) {
        StringBuilder order = new StringBuilder();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        client.execute(target, request(), body)
                .doOnNext(event -> {
                    if (event instanceof ExecutionEvent.Head) {
                        order.append('H');
                    } else if (event instanceof ExecutionEvent.Body chunk) {
                        answer.writeBytes(ByteBufUtil.getBytes(chunk.chunk()));
                        chunk.chunk().release();
                        if (order.charAt(order.length() - 1) != 'B') {
                            order.append('B');
                        }
                    } else {
                        order.append('E');
                    }
                })
                .blockLast(BLOCK);
        assertThat(order.toString()).matches("HB?E");
        return answer.toString(StandardCharsets.UTF_8);
    }

    private static ExecutionRequest request() {
        return new ExecutionRequest("POST", "/", Map.of(), 20_000);
    }

    private static ByteBuf text(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    private String readFile(String name) {
        try {
            return java.nio.file.Files.readString(work.resolve("code").resolve(name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] frame(ByteBuf frame) {
        byte[] bytes = ByteBufUtil.getBytes(frame);
        frame.release();
        return bytes;
    }

    /**
     * A peer on loopback that answers one execution with {@code answer} under a {@code content-length} of
     * {@code declared}: when that is more than it sends, it closes mid-answer; else it waits for the client to close
     * the connection (which it must not reuse after a broken answer). {@link #RESET} resets the connection instead of
     * answering.
     */
    private static final class ScriptedRunner implements AutoCloseable {

        static final int RESET = -1;
        /** Sends {@code answer} as the whole answer, HTTP head and all, then waits for the client to close. */
        static final int RAW = -2;

        private final ServerSocket server;
        private final CompletableFuture<Void> served;

        ScriptedRunner(byte[] answer, int declared) throws IOException {
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            served = CompletableFuture.runAsync(() -> serve(answer, declared));
        }

        RunnerTarget target() {
            return new RunnerTarget("127.0.0.1", server.getLocalPort(), "s", 0);
        }

        private void serve(byte[] answer, int declared) {
            try (Socket socket = server.accept()) {
                readRequestHead(socket.getInputStream());
                if (declared == RESET) {
                    socket.setSoLinger(true, 0);
                    return;
                }
                if (declared == RAW) {
                    socket.getOutputStream().write(answer);
                    socket.getOutputStream().flush();
                    socket.getInputStream().read();
                    return;
                }
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\ncontent-type: " + RunnerProtocol.FRAMES_CONTENT_TYPE
                        + "\r\ncontent-length: " + declared + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(answer);
                out.flush();
                if (declared == answer.length) {
                    socket.getInputStream().read();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Reads up to the blank line; the execution request the client sends has no body here (length 0). */
        private static void readRequestHead(InputStream in) throws IOException {
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while (matched < end.length) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the client closed before its request's head ended");
                }
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
        }

        @Override
        public void close() throws Exception {
            served.get(10, java.util.concurrent.TimeUnit.SECONDS);
            server.close();
        }
    }
}
