package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.hearth.runner.client.RunnerCallException;
import dev.hearth.runner.protocol.ProtocolJson;
import dev.hearth.runner.protocol.RunnerError;
import dev.hearth.runner.protocol.RunnerProtocol;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.client.RunnerTarget;
import dev.hearth.runner.client.SpecializeResult;
import dev.hearth.runner.protocol.ExecutionEnd;
import dev.hearth.runner.protocol.ExecutionHead;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.Specialization;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/** A runner on an ephemeral loopback port with a client for it; closes both. */
final class RunnerHarness implements AutoCloseable {

    static final String SECRET = "test-secret";
    static final Duration BLOCK = Duration.ofSeconds(30);

    final Runner runner;
    final RunnerClient client;
    final RunnerTarget target;
    final Path workDir;

    private RunnerHarness(Runner runner, Path workDir) {
        this.runner = runner;
        this.workDir = workDir;
        this.client = RunnerClient.create(Duration.ofSeconds(2));
        this.target = new RunnerTarget("127.0.0.1", runner.address().getPort(), SECRET, 0);
    }

    static RunnerHarness start(Path workDir) {
        return start(workDir, 16);
    }

    /** A runner with {@code config} (its host must be 127.0.0.1 and its secret {@link #SECRET}). */
    static RunnerHarness start(RunnerConfig config) {
        return new RunnerHarness(Runner.start(config), config.workDir());
    }

    static RunnerHarness start(Path workDir, int maxConcurrency) {
        return new RunnerHarness(Runner.start(new RunnerConfig("127.0.0.1", 0, SECRET, workDir, maxConcurrency)),
                workDir);
    }

    /** A raw client for calls the typed client cannot make (wrong secret, unknown paths). */
    HttpClient raw() {
        return HttpClient.create().baseUrl("http://127.0.0.1:" + runner.address().getPort());
    }

    SpecializeResult specialize(Specialization specialization, byte[] tarGz) {
        return client.specialize(target, specialization, Mono.just(Unpooled.wrappedBuffer(tarGz))).block(BLOCK);
    }

    SpecializeResult specializeExec(String command) {
        return specialize(new Specialization("exec", command, "", Map.of(), 10_000), new byte[0]);
    }

    static ExecutionRequest request(long timeoutMs) {
        return new ExecutionRequest("POST", "/", Map.of(), timeoutMs);
    }

    Result execute(ExecutionRequest request, String body) {
        // A Mono body gets a content-length, as the gateway's fixed-length requests do.
        return execute(request, Mono.fromSupplier(() -> Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)));
    }

    /**
     * Runs an execution over a raw client and parses the frames test-side ({@link FrameParser}); asserts the
     * response is {@code 200} with the frames content type and ends with END.
     */
    Result execute(ExecutionRequest request, org.reactivestreams.Publisher<ByteBuf> body) {
        FrameParser parser = executeRaw(request, body, true).blockLast(BLOCK);
        assertThat(parser.order.toString()).as("frame order").matches("HB?E");
        return new Result(parser.head, parser.body(), parser.end);
    }

    /** Emits the parser after every chunk, for incremental assertions; errors on a refused call. */
    Flux<FrameParser> executeRaw(ExecutionRequest request, org.reactivestreams.Publisher<ByteBuf> body,
                                 boolean keepBody) {
        FrameParser parser = new FrameParser(keepBody);
        return raw()
                .headers(h -> h.set(RunnerProtocol.SECRET_HEADER, SECRET)
                        .set(RunnerProtocol.REQUEST_HEADER, ProtocolJson.toHeader(request)))
                .post()
                .uri(RunnerProtocol.EXECUTE_PATH)
                .send(body)
                .response((response, content) -> {
                    if (response.status().code() != 200) {
                        return content.aggregate().asString().defaultIfEmpty("")
                                .flatMapMany(text -> Flux.error(new RunnerCallException(response.status().code(),
                                        ProtocolJson.fromBytes(text.getBytes(StandardCharsets.UTF_8),
                                                RunnerError.class).error(), text)));
                    }
                    assertThat(response.responseHeaders().get("content-type"))
                            .isEqualTo(RunnerProtocol.FRAMES_CONTENT_TYPE);
                    return content.asByteArray().map(bytes -> {
                        parser.feed(bytes);
                        return parser;
                    });
                });
    }

    record Result(ExecutionHead head, byte[] body, ExecutionEnd end) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Reads a pid a test function wrote, waiting for the file. */
    long readPid(String file) {
        Path path = workDir.resolve("code").resolve(file);
        String pid = await().alias("a pid written to " + path)
                .atMost(BLOCK)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> Files.exists(path) ? Files.readString(path).trim() : "", text -> !text.isEmpty());
        return Long.parseLong(pid);
    }

    /** Zombies count as dead: the runner killed them and only their (foreign) reaper is late. */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
    }

    static void assertGone(long pid) {
        await().alias("process " + pid + " is gone")
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(alive(pid)).as("process %d is gone", pid).isFalse());
    }

    static void awaitZeroLiveProcesses(Runner runner) {
        await().alias("the runner has no live function processes")
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(runner.liveProcesses()).as("live function processes").isZero());
    }

    static List<String> lines(String text) {
        return text.lines().toList();
    }

    @Override
    public void close() {
        runner.close();
    }
}
