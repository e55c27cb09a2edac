package dev.hearth.gateway.it;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import dev.hearth.gateway.metrics.PrometheusText;
import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.registry.RuntimeRecord;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import dev.hearth.runner.testing.TarGz;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Hearth's metrics as an operator scrapes them: real creations and executions on the embedded default, then
 * {@code /actuator/prometheus} over HTTP, asserting that each series moved by exactly what happened.
 */
class MetricsIT extends GatewayITSupport {

    private static final String SHELL = "local/shell";


    private PrometheusText scrape() {
        return PrometheusText.parse(client.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody());
    }

    /** How much {@code series} with these labels (pairs of key, value) rose from {@code before} to {@code after}. */
    private static double rise(PrometheusText before, PrometheusText after, String series, String... labels) {
        Map<String, String> wanted = new java.util.HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return after.sum(series, wanted) - before.sum(series, wanted);
    }

    @Test
    void creationsAndExecutionsAreCountedByOutcome() {
        String echo = store("m-echo.tar.gz", TarGz.builder().file("main.sh", "cat"));
        String failing = store("m-fail.tar.gz", TarGz.builder().file("main.sh", "echo oops >&2; exit 3"));
        String slow = store("m-slow.tar.gz", TarGz.builder().file("main.sh", "sleep 5"));
        String escaping = store("m-bad.tar.gz", TarGz.builder().file("../evil.sh", "echo pwned"));
        PrometheusText before = scrape();

        createRuntime("m-echo", SHELL, echo, "main.sh").expectStatus().isCreated();
        createRuntime("m-fail", SHELL, failing, "main.sh").expectStatus().isCreated();
        createRuntime("m-slow", SHELL, slow, "main.sh").expectStatus().isCreated();
        createRuntime("m-bad", SHELL, escaping, "main.sh").expectStatus().isBadRequest();
        for (int i = 0; i < 5; i++) {
            executeJson("m-echo", Map.of("body", "n" + i)).expectStatus().isOk()
                    .expectBody().jsonPath("$.statusCode").isEqualTo(200);
        }
        executeJson("m-fail", Map.of()).expectStatus().isOk().expectBody().jsonPath("$.statusCode").isEqualTo(500);
        executeJson("m-slow", Map.of("timeout", 1)).expectStatus().isOk()
                .expectBody().jsonPath("$.errors").value(errors -> assertThat((String) errors).contains("timed out"));
        for (String id : List.of("m-echo", "m-fail", "m-slow")) {
            client.delete().uri("/v1/runtimes/" + id).exchange().expectStatus().is2xxSuccessful();
        }
        PrometheusText after = scrape();

        String executions = "hearth_execution_seconds_count";
        assertThat(rise(before, after, executions, "image", SHELL, "outcome", "success")).as("successes").isEqualTo(5);
        assertThat(rise(before, after, executions, "image", SHELL, "outcome", "function_error")).as("exit 3").isEqualTo(1);
        assertThat(rise(before, after, executions, "image", SHELL, "outcome", "timeout")).as("timeout").isEqualTo(1);
        assertThat(rise(before, after, executions, "image", SHELL)).as("nothing else").isEqualTo(7);
        assertThat(rise(before, after, "hearth_execution_overhead_seconds_count", "image", SHELL))
                .as("overhead of every execution that ended").isEqualTo(7);
        double overheadSeconds = rise(before, after, "hearth_execution_overhead_seconds_sum", "image", SHELL);
        assertThat(overheadSeconds / 7).as("mean overhead, far below the executions themselves").isBetween(0.0, 0.5);
        assertThat(rise(before, after, "hearth_execution_overhead_seconds_bucket", "image", SHELL, "le", "+Inf"))
                .as("histogram buckets move").isEqualTo(7);

        assertThat(rise(before, after, "hearth_pool_acquire_seconds_count", "image", SHELL))
                .as("four acquisitions").isEqualTo(4);
        assertThat(rise(before, after, "hearth_pool_acquire_seconds_count", "image", SHELL, "outcome", "warm")
                + rise(before, after, "hearth_pool_acquire_seconds_count", "image", SHELL, "outcome", "created"))
                .as("all served").isEqualTo(4);
        assertThat(rise(before, after, "hearth_lease_claim_seconds_count", "image", SHELL, "outcome", "claimed"))
                .as("leases claimed").isEqualTo(4);
        assertThat(rise(before, after, "hearth_runtime_specialize_seconds_count", "image", SHELL, "outcome", "ready"))
                .as("specialized").isEqualTo(3);
        assertThat(rise(before, after, "hearth_runtime_specialize_seconds_count", "image", SHELL,
                "outcome", "function_error")).as("escaping archive refused").isEqualTo(1);
        assertThat(rise(before, after, "hearth_runtimes_released_total", "image", SHELL, "reason", "deleted"))
                .as("deleted").isEqualTo(3);
        await("every claimed pod replaced and its start timed").atMost(GatewayITSupport.WAIT).until(() -> rise(before, scrape(),
                "hearth_pod_start_seconds_count", "image", SHELL, "outcome", "ready") >= 4);

        assertThat(rise(before, after, "http_server_requests_seconds_count", "uri",
                "/v1/runtimes/{runtimeId}/executions")).as("Spring's request timer still counts executions").isEqualTo(7);
        assertThat(after.has("http_server_requests_active_seconds_count"))
                .as("no long-task timer per request (management.metrics.observations.ignored-meters)").isFalse();
    }

    @Test
    void theExecutorsRoutesAreAskedBeforeTheActuatorsMapping(@Autowired DispatcherHandler dispatcher) {
        assertThat(dispatcher.getHandlerMappings()).as("handler mappings in the order they are asked")
                .first().isInstanceOf(RouterFunctionMapping.class);
        client.get().uri("/actuator/health").exchange().expectStatus().isOk();
    }

    @Test
    void aClientLeavingMidStreamCountsAsClientGone() {
        String source = store("m-yes.tar.gz", TarGz.builder().file("main.sh", "yes hearth"));
        createRuntime("m-yes", SHELL, source, "main.sh").expectStatus().isCreated();
        PrometheusText before = scrape();
        leaveMidStream("m-yes");

        await("the execution counted as client_gone").atMost(GatewayITSupport.WAIT).until(() -> rise(before, scrape(), "hearth_execution_seconds_count",
                "image", SHELL, "outcome", "client_gone") == 1);
        assertThat(rise(before, scrape(), "hearth_execution_seconds_count", "image", SHELL))
                .as("and as nothing else").isEqualTo(1);
    }

    @Test
    void aSlowUploadIsNotTheGatewaysOverhead() {
        String source = store("m-upload.tar.gz", TarGz.builder().file("main.sh", "cat"));
        createRuntime("m-upload", SHELL, source, "main.sh").expectStatus().isCreated();
        PrometheusText before = scrape();
        // The client sends its parameters in two pieces, a second and a half apart.
        Flux<ByteBuf> upload = Flux.concat(Mono.just("{\"body\":\"slow"),
                        Mono.just(" upload\"}").delaySubscription(Duration.ofMillis(1_500)))
                .map(text -> Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        String response = HttpClient.create()
                .baseUrl("http://127.0.0.1:" + port)
                .headers(h -> h.set("Authorization", "Bearer " + SECRET).set("content-type", "application/json")
                        .set("accept", "application/json"))
                .post().uri("/v1/runtimes/m-upload/executions")
                .send(upload)
                .responseSingle((head, body) -> body.asString())
                .block(Duration.ofSeconds(30));
        PrometheusText after = scrape();

        assertThat(response).as("the function got the whole upload").contains("slow upload");
        assertThat(rise(before, after, "hearth_execution_overhead_seconds_count", "image", SHELL)).as("one execution")
                .isEqualTo(1);
        assertThat(rise(before, after, "hearth_execution_overhead_seconds_sum", "image", SHELL))
                .as("overhead in seconds, without the 1.5 s upload").isLessThan(0.5);
    }

    @Test
    void aRequestJoiningAnotherRequestsCreationIsChargedOnlyItsOwnWait() {
        // An http function that listens after 1.5 s: creating its runtime takes that long.
        String source = store("m-late.tar.gz", TarGz.builder().file("index.js", "setTimeout(() => require('http')"
                + ".createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1'), 1500);"));
        PrometheusText before = scrape();
        WebClient web = WebClient.builder()
                .baseUrl("http://127.0.0.1:" + port)
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(ConnectionProvider.newConnection())))
                .build();
        Mono<Integer> execution = web.post().uri("/v1/runtimes/m-late/executions")
                .header("Authorization", "Bearer " + SECRET)
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("image", "local/node", "source", source, "entrypoint", "index.js"))
                .exchangeToMono(response -> Mono.just(response.statusCode().value()));
        // The second request joins the creation the first started, 0.7 s into it.
        List<Integer> statuses = Flux.merge(execution, execution.delaySubscription(Duration.ofMillis(700)))
                .collectList()
                .block(Duration.ofSeconds(30));
        PrometheusText after = scrape();

        assertThat(statuses).as("statuses").containsExactly(200, 200);
        String buckets = "hearth_execution_overhead_seconds_bucket";
        String lowest = after.samples(buckets, Map.of("image", "local/node")).stream()
                .map(sample -> sample.labels().get("le"))
                .filter(le -> !le.equals("+Inf"))
                .min(java.util.Comparator.comparingDouble(Double::parseDouble))
                .orElseThrow();
        assertThat(rise(before, after, buckets, "image", "local/node", "le", "+Inf")).as("both executions")
                .isEqualTo(2);
        // Less the whole 1.5 s creation, the joiner's own 0.8 s wait would come out negative and be floored at 0.
        assertThat(rise(before, after, buckets, "image", "local/node", "le", lowest))
                .as("overheads floored at zero (in the lowest bucket, le=" + lowest + ")").isZero();
        assertThat(rise(before, after, "hearth_execution_overhead_seconds_sum", "image", "local/node") / 2)
                .as("mean overhead in seconds, without waiting for the runtime").isLessThan(0.25);
    }

    @Test
    void acquisitionsBeyondMaxCountAsTimeoutAndExhausted() {
        String source = store("m-small.tar.gz", TarGz.builder().file("main.sh", "echo ok"));
        for (int i = 0; i < 4; i++) {
            createRuntime("m-hold-" + i, "test/small", source, "main.sh").expectStatus().isCreated();
        }
        PrometheusText before = scrape();
        // The pool holds max (4) pods: six more acquisitions wait out the 3 s acquire timeout, a seventh is refused.
        WebClient web = WebClient.builder()
                .baseUrl("http://127.0.0.1:" + port)
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(ConnectionProvider.newConnection())))
                .build();
        List<Integer> statuses = Flux.range(0, 7)
                .flatMap(i -> web.post().uri("/v1/runtimes")
                        .header("Authorization", "Bearer " + SECRET)
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("runtimeId", "m-wait-" + i, "image", "test/small", "source", source,
                                "entrypoint", "main.sh"))
                        .exchangeToMono(response -> Mono.just(response.statusCode().value())), 7)
                .collectList()
                .block(Duration.ofSeconds(30));
        PrometheusText after = scrape();

        assertThat(statuses).as("statuses").containsExactlyInAnyOrder(400, 400, 400, 400, 400, 400, 503);
        String acquire = "hearth_pool_acquire_seconds_count";
        assertThat(rise(before, after, acquire, "image", "test/small", "outcome", "timeout")).as("timeouts").isEqualTo(6);
        assertThat(rise(before, after, acquire, "image", "test/small", "outcome", "exhausted")).as("refused").isEqualTo(1);
        assertThat(rise(before, after, acquire, "image", "test/small")).as("nothing else").isEqualTo(7);
        assertThat(rise(before, after, "hearth_pool_acquire_seconds_sum", "image", "test/small", "outcome", "timeout"))
                .as("each timeout waited the 3 s acquire timeout").isBetween(6 * 2.9, 6 * 5.0);
        assertThat(rise(before, after, "hearth_pool_acquire_seconds_bucket", "image", "test/small",
                "outcome", "timeout", "le", "2.5")).as("none within 2.5 s").isZero();
    }

    @Test
    void leaseRenewalsCountRenewedAndLostLeases() {
        String source = store("m-lease.tar.gz", TarGz.builder().file("main.sh", "echo ok"));
        createRuntime("m-lease", SHELL, source, "main.sh").expectStatus().isCreated();
        PrometheusText before = scrape();

        runtimes.maintenance().renewLeases().block(Duration.ofSeconds(10));
        PrometheusText renewed = scrape();
        RuntimeRecord record = runtimes.get("m-lease").block(Duration.ofSeconds(5));
        Lease lease = leaseStore.current(record.podId()).block(Duration.ofSeconds(5));
        leaseStore.release(lease).block(Duration.ofSeconds(5));
        runtimes.maintenance().renewLeases().block(Duration.ofSeconds(10));
        PrometheusText after = scrape();

        assertThat(rise(before, renewed, "hearth_lease_renewals_total", "outcome", "renewed")).as("renewed")
                .isGreaterThanOrEqualTo(1);
        assertThat(rise(before, after, "hearth_lease_renewals_total", "outcome", "lost")).as("lost").isEqualTo(1);
        assertThat(rise(before, after, "hearth_runtimes_released_total", "image", SHELL, "reason", "lease_lost"))
                .as("the runtime ended with its lease").isEqualTo(1);
    }
}
