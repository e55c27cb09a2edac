package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.hearth.runner.client.RunnerCallException;
import dev.hearth.runner.protocol.ProtocolJson;
import dev.hearth.runner.protocol.RunnerError;
import dev.hearth.runner.protocol.RunnerHealth;
import dev.hearth.runner.protocol.RunnerProtocol;
import dev.hearth.runner.protocol.Specialization;
import dev.hearth.runner.testing.TarGz;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class RunnerProtocolIT {

    @TempDir
    Path workDir;
    RunnerHarness harness;

    @BeforeEach
    void start() {
        harness = RunnerHarness.start(workDir, 1);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    /** Status, headers and body of a raw call. */
    private record Raw(int status, String supported, String contentType, String body) {
        RunnerError error() {
            return ProtocolJson.fromBytes(body.getBytes(StandardCharsets.UTF_8), RunnerError.class);
        }
    }

    private Raw rawGet(String path, Map<String, String> headers) {
        return harness.raw()
                .headers(h -> headers.forEach(h::set))
                .get()
                .uri(path)
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("").map(text -> new Raw(
                        response.status().code(), response.responseHeaders().get(RunnerProtocol.SUPPORTED_HEADER),
                        response.responseHeaders().get("content-type"), text)))
                .block(RunnerHarness.BLOCK);
    }

    @Test
    void healthAnswersWithoutSecret() {
        RunnerHealth health = harness.client.health("127.0.0.1", harness.target.port()).block(RunnerHarness.BLOCK);

        assertThat(health).isEqualTo(new RunnerHealth("ok", java.util.List.of(1), false, "", 0));
    }

    @Test
    void callWithoutSecretIsUnauthorized() {
        Raw raw = rawGet(RunnerProtocol.LOGS_PATH, Map.of());

        assertThat(raw.status()).isEqualTo(401);
        assertThat(raw.contentType()).isEqualTo("application/json");
        assertThat(raw.error().error()).isEqualTo("unauthorized");
    }

    @Test
    void callWithWrongSecretIsUnauthorized() {
        Raw raw = rawGet(RunnerProtocol.LOGS_PATH, Map.of(RunnerProtocol.SECRET_HEADER, "wrong"));

        assertThat(raw.status()).isEqualTo(401);
        assertThat(raw.body()).doesNotContain(RunnerHarness.SECRET);
    }

    @Test
    void unsupportedProtocolIsRejectedWithSupportedVersions() {
        Raw raw = rawGet(RunnerProtocol.LOGS_PATH, Map.of(RunnerProtocol.SECRET_HEADER, RunnerHarness.SECRET,
                RunnerProtocol.PROTOCOL_HEADER, "2"));

        assertThat(raw.status()).isEqualTo(400);
        assertThat(raw.error().error()).isEqualTo("unsupported_protocol");
        assertThat(raw.supported()).isEqualTo("1");
    }

    @Test
    void unknownPathIsNotFoundWithErrorBody() {
        Raw raw = rawGet("/v1/nope", Map.of(RunnerProtocol.SECRET_HEADER, RunnerHarness.SECRET));

        assertThat(raw.status()).isEqualTo(404);
        assertThat(raw.error().error()).isEqualTo("not_found");
    }

    @Test
    void specializeTwiceIsConflict() {
        harness.specializeExec("cat");

        assertThatThrownBy(() -> harness.specializeExec("cat"))
                .isInstanceOfSatisfying(RunnerCallException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.code()).isEqualTo("already_specialized");
                });
        assertThat(harness.runner.specialized()).isTrue();
        assertThat(harness.client.health("127.0.0.1", harness.target.port()).block(RunnerHarness.BLOCK).adapter())
                .isEqualTo("exec");
    }

    @Test
    void olderFencingTokenIsStale() {
        harness.client.logs(harness.target.withFencingToken(7), false).collectList().block(RunnerHarness.BLOCK);

        assertThatThrownBy(() -> harness.client.logs(harness.target.withFencingToken(6), false)
                .collectList().block(RunnerHarness.BLOCK))
                .isInstanceOfSatisfying(RunnerCallException.class, e -> assertThat(e.code()).isEqualTo("stale_token"));
    }

    @Test
    void executeBeforeSpecializeIsConflict() {
        assertThatThrownBy(() -> harness.execute(RunnerHarness.request(1000), "x"))
                .isInstanceOfSatisfying(RunnerCallException.class,
                        e -> assertThat(e.code()).isEqualTo("not_specialized"));
    }

    @Test
    void badArchiveLeavesRunnerWarmAndNoCode() {
        byte[] hostile = TarGz.builder().file("ok.txt", "fine").file("../escape.txt", "x").build();
        Specialization spec = new Specialization("exec", "cat", "", Map.of(), 10_000);

        assertThatThrownBy(() -> harness.specialize(spec, hostile))
                .isInstanceOfSatisfying(RunnerCallException.class, e -> assertThat(e.code()).isEqualTo("bad_archive"));
        assertThat(workDir.resolve("code")).doesNotExist();
        assertThat(workDir.resolve("escape.txt")).doesNotExist();
        assertThat(harness.runner.specialized()).isFalse();
    }

    @Test
    void aCallerLeavingBeforeItsWholeArchiveArrivedLeavesTheRunnerWarm() throws Exception {
        byte[] archive = TarGz.builder().file("main.sh", "echo late").build();
        String head = "POST " + RunnerProtocol.SPECIALIZE_PATH + " HTTP/1.1\r\n"
                + "host: 127.0.0.1\r\n"
                + RunnerProtocol.SECRET_HEADER + ": " + RunnerHarness.SECRET + "\r\n"
                + RunnerProtocol.SPECIALIZATION_HEADER + ": "
                + ProtocolJson.toHeader(new Specialization("exec", "sh main.sh", "main.sh", Map.of(), 10_000)) + "\r\n"
                // Small enough to be received whole before extraction; only half of it is sent.
                + "content-length: " + archive.length + "\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", harness.runner.address().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(archive, 0, archive.length / 2);
            out.flush();
            await("the runner began the specialization").atMost(RunnerHarness.BLOCK)
                    .untilAsserted(() -> assertThatThrownBy(() -> harness.specializeExec("cat"))
                            .isInstanceOfSatisfying(RunnerCallException.class,
                                    e -> assertThat(e.code()).isEqualTo("already_specialized")));
        }

        await("warm again once the caller left").atMost(RunnerHarness.BLOCK)
                .ignoreExceptionsInstanceOf(RunnerCallException.class)
                .until(() -> harness.specializeExec("cat") != null);
        assertThat(harness.runner.specialized()).isTrue();
        assertThat(harness.execute(RunnerHarness.request(10_000), "after").bodyText()).isEqualTo("after");
    }

    @Test
    void specializationExtractsStreamedArchiveAndSetsEnvironment() {
        byte[] archive = TarGz.builder().file("run.sh", "printf '%s|%s|%s' \"$HEARTH_ENTRYPOINT\" \"$GREETING\""
                + " \"$(basename \"$PWD\")\"", 0755).build();
        // Streamed in small chunks, as a gateway would.
        Flux<io.netty.buffer.ByteBuf> chunks = Flux.range(0, archive.length)
                .buffer(7)
                .map(indexes -> Unpooled.wrappedBuffer(archive, indexes.get(0), indexes.size()));
        harness.client.specialize(harness.target,
                new Specialization("exec", "./run.sh", "run.sh", Map.of("GREETING", "hi"), 10_000), chunks)
                .block(RunnerHarness.BLOCK);

        RunnerHarness.Result result = harness.execute(RunnerHarness.request(10_000), "");

        assertThat(result.bodyText()).isEqualTo("run.sh|hi|code");
    }

    @Test
    void executionsOverTheCapAreBusy() throws Exception {
        harness.specializeExec("sleep 2");
        var first = harness.client.execute(harness.target, RunnerHarness.request(10_000), Mono.empty())
                .doOnNext(event -> {
                    if (event instanceof dev.hearth.runner.client.ExecutionEvent.Body b) {
                        b.chunk().release();
                    }
                })
                .subscribe(event -> { }, error -> { });
        try {
            await().alias("the first execution is in flight")
                    .atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(10))
                    .untilAsserted(() -> assertThat(harness.client.health("127.0.0.1", harness.target.port())
                            .block(RunnerHarness.BLOCK).inFlight()).as("executions in flight").isPositive());
            assertThatThrownBy(() -> harness.execute(RunnerHarness.request(1000), ""))
                    .isInstanceOfSatisfying(RunnerCallException.class, e -> {
                        assertThat(e.status()).isEqualTo(503);
                        assertThat(e.code()).isEqualTo("busy");
                    });
        } finally {
            first.dispose();
        }
    }
}
