package dev.hearth.gateway.it;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;

import dev.hearth.runner.testing.TarGz;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/** Executions under load, past their timeout, cut off by the client, and with large bodies. */
class ExecutionIT extends GatewayITSupport {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON_MAP = new ParameterizedTypeReference<>() {
    };

    private HttpClient raw() {
        return HttpClient.create()
                .baseUrl("http://127.0.0.1:" + port)
                .headers(h -> h.set("Authorization", "Bearer " + SECRET).set("content-type", "application/json"));
    }

    @Test
    void fiftyConcurrentExecutionsOfOneRuntimeAllSucceed() {
        String source = store("echo.tar.gz", TarGz.builder().file("main.sh", "cat"));
        createRuntime("load-1", "local/shell", source, "main.sh").expectStatus().isCreated();
        List<String> bodies = Flux.range(0, 50)
                .flatMap(i -> raw().headers(h -> h.set("accept", "application/json"))
                        .post().uri("/v1/runtimes/load-1/executions")
                        .send(Mono.just(io.netty.buffer.Unpooled.copiedBuffer(
                                "{\"body\":\"n" + i + "\",\"method\":\"POST\"}", java.nio.charset.StandardCharsets.UTF_8)))
                        .responseSingle((response, content) -> content.asString()
                                .map(text -> response.status().code() + " " + text)), 50)
                .collectList()
                .block(Duration.ofSeconds(60));
        assertThat(bodies).hasSize(50).allMatch(text -> text.startsWith("200 "));
        for (int i = 0; i < 50; i++) {
            String expected = "\"body\":\"n" + i + "\"";
            assertThat(bodies).as("echo of request " + i).anyMatch(text -> text.contains(expected));
        }
    }

    @Test
    void executionTimeoutKillsTheWholeProcessTree() {
        String source = store("hang.tar.gz", TarGz.builder().file("main.sh",
                "sleep 300 & echo started >&2; sleep 300"));
        createRuntime("hang-1", "local/shell", source, "main.sh").expectStatus().isCreated();
        long started = System.nanoTime();
        Map<String, Object> result = executeJson("hang-1", Map.of("timeout", 1))
                .expectStatus().isOk().expectBody(JSON_MAP).returnResult().getResponseBody();
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(result.get("statusCode")).as("timed-out execution status").isEqualTo(500);
        assertThat((String) result.get("errors")).contains("Execution timed out.");
        assertThat(tookMs).as("answered near the 1 s timeout").isBetween(900L, 8_000L);
        await("the shell and its background sleep are dead").atMost(GatewayITSupport.WAIT).until(() -> ProcessHandle.current().descendants().findAny().isEmpty());
    }

    @Test
    void clientDisconnectMidStreamFreesTheExecutionAndItsProcesses() {
        String source = store("yes.tar.gz", TarGz.builder().file("main.sh", "yes hearth"));
        createRuntime("yes-1", "local/shell", source, "main.sh").expectStatus().isCreated();
        AtomicLong received = new AtomicLong();
        raw().headers(h -> h.set("accept", "multipart/form-data"))
                .post().uri("/v1/runtimes/yes-1/executions")
                .send(Mono.just(io.netty.buffer.Unpooled.copiedBuffer("{\"timeout\":600}",
                        java.nio.charset.StandardCharsets.UTF_8)))
                .responseContent()
                .map(ByteBuf::readableBytes)
                .doOnNext(received::addAndGet)
                .takeUntil(n -> received.get() > 1_000_000)
                .blockLast(Duration.ofSeconds(30));
        assertThat(received.get()).as("streamed before disconnecting").isGreaterThan(1_000_000);
        await("the function process died with the disconnect").atMost(GatewayITSupport.WAIT).until(() -> ProcessHandle.current().descendants().findAny().isEmpty());
        // The runtime still serves: its execution slot was freed.
        String source2 = store("ok.tar.gz", TarGz.builder().file("main.sh", "echo fine"));
        createRuntime("ok-1", "local/shell", source2, "main.sh").expectStatus().isCreated();
        executeJson("ok-1", Map.of()).expectStatus().isOk().expectBody().jsonPath("$.body").isEqualTo("fine\n");
    }

    @Test
    void largeBodyStreamsThroughAsMultipart() {
        long size = 256L * 1024 * 1024;
        String source = store("big.tar.gz", TarGz.builder().file("main.sh", "head -c " + size + " /dev/zero"));
        createRuntime("big-1", "local/shell", source, "main.sh").expectStatus().isCreated();
        Long total = raw().headers(h -> h.set("accept", "multipart/form-data"))
                .post().uri("/v1/runtimes/big-1/executions")
                .send(Mono.just(io.netty.buffer.Unpooled.copiedBuffer("{\"timeout\":120}",
                        java.nio.charset.StandardCharsets.UTF_8)))
                .responseContent()
                .map(buf -> (long) buf.readableBytes())
                .reduce(0L, Long::sum)
                .block(Duration.ofSeconds(120));
        assertThat(total).as("multipart document carries the whole body").isGreaterThan(size);
    }

    @Test
    void unknownRuntimeIs404() {
        executeJson("nope", Map.of()).expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("runtime_not_found")
                .jsonPath("$.code").isEqualTo(404);
        client.get().uri("/v1/runtimes/nope").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isNotFound();
        client.delete().uri("/v1/runtimes/nope").exchange().expectStatus().isNotFound();
    }
}
