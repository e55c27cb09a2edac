package dev.hearth.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;

import dev.hearth.runner.testing.TarGz;
import reactor.core.publisher.Flux;

/** create → execute × N → logs → delete, for both adapters, with both response encodings. */
class RuntimeLifecycleIT extends GatewayITSupport {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON_MAP = new ParameterizedTypeReference<>() {
    };

    @Test
    void execAdapterRuntimeServesExecutionsAndLogsThenIsDeleted() {
        String source = storeExample("hello-python");
        createRuntime("py-1", "local/python", source, "main.py").expectStatus().isCreated()
                .expectBody().jsonPath("$.output").isArray().jsonPath("$.duration").isNumber();

        for (int i = 0; i < 5; i++) {
            Map<String, Object> result = executeJson("py-1", Map.of("body", "ping-" + i, "path", "/greet?n=" + i,
                    "method", "POST"))
                    .expectStatus().isOk()
                    .expectHeader().valueEquals("content-type", "application/json")
                    .expectHeader().exists("Server-Timing")
                    .expectBody(JSON_MAP).returnResult().getResponseBody();
            assertThat(result.get("statusCode")).as("function status").isEqualTo(200);
            assertThat((String) result.get("body")).as("function saw body, path and query")
                    .contains("\"received\": \"ping-" + i + "\"", "\"path\": \"/greet\"", "\"query\": \"n=" + i + "\"");
            assertThat((String) result.get("errors")).as("stderr is the error log").contains("handling POST /greet");
        }

        String logs = client.get().uri("/v1/runtimes/py-1/logs?timeout=5").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(logs).as("the pod's log stream").contains("handling POST /greet");
        assertThat(logs.lines().findFirst().orElse("")).as("timestamped lines")
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+00:00 .*");

        client.delete().uri("/v1/runtimes/py-1").exchange().expectStatus().isOk();
        client.get().uri("/v1/runtimes/py-1").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("runtime_not_found");
    }

    @Test
    void httpAdapterRuntimeKeepsOneServerAcrossExecutions() {
        String source = storeExample("hello-node");
        String timing = createRuntime("node-1", "local/node", source, "index.js").expectStatus().isCreated()
                .expectBody(String.class).returnResult().getResponseHeaders().getFirst("Server-Timing");
        assertThat(timing).as("the creation's phases, in the order they run")
                .matches("reserve;dur=[\\d.]+, acquire;dur=[\\d.]+, lease;dur=[\\d.]+, specialize;dur=[\\d.]+, "
                        + "source;dur=[\\d.]+, extract;dur=[\\d.]+, start;dur=[\\d.]+, register;dur=[\\d.]+, "
                        + "total;dur=[\\d.]+");
        for (int i = 1; i <= 3; i++) {
            Map<String, Object> result = executeJson("node-1", Map.of("body", "yo", "path", "/a?b=c", "method", "POST"))
                    .expectStatus().isOk().expectBody(JSON_MAP).returnResult().getResponseBody();
            assertThat((String) result.get("body")).as("same server, counting").contains("\"served\":" + i);
            assertThat((String) result.get("logs")).as("the stdout line printed while handling this execution")
                    .isEqualTo("handling POST /a?b=c (#" + i + ")\n");
            @SuppressWarnings("unchecked")
            Map<String, Object> headers = (Map<String, Object>) result.get("headers");
            assertThat(headers.get("content-type")).isEqualTo("application/json");
        }
        String live = client.get().uri("/v1/runtimes/node-1/logs?timeout=5").exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(live).as("every stdout line is in the runtime's log")
                .contains("(#1)", "(#2)", "(#3)");
        List<Map<String, Object>> listed = client.get().uri("/v1/runtimes").exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<List<Map<String, Object>>>() {
                }).returnResult().getResponseBody();
        assertThat(listed).as("listed runtimes").anySatisfy(runtime -> {
            assertThat(runtime.get("name").toString()).endsWith("-node-1");
            assertThat(runtime.get("status").toString()).startsWith("Up ");
            assertThat(runtime.get("initialised")).isEqualTo(1);
            assertThat(runtime.get("key").toString()).hasSize(32);
        });
        client.delete().uri("/v1/runtimes/node-1").exchange().expectStatus().isOk();
    }

    @Test
    void multipartResponseCarriesEveryPartInOrderWithBinaryBodyIntact() {
        String source = store("binary.tar.gz", TarGz.builder().file("main.sh", "printf '\\000\\001\\377'; echo oops >&2"));
        createRuntime("bin-1", "local/shell", source, "main.sh").expectStatus().isCreated();
        byte[] response = client.post().uri("/v1/runtimes/bin-1/executions")
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.MULTIPART_FORM_DATA)
                .bodyValue(Map.of())
                .exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.MULTIPART_FORM_DATA)
                .expectBody().returnResult().getResponseBody();
        String text = new String(response, StandardCharsets.ISO_8859_1);
        List<String> order = List.of("statusCode", "headers", "body", "logs", "errors", "duration", "startTime");
        int previous = -1;
        for (String part : order) {
            int at = text.indexOf("name=\"" + part + "\"");
            assertThat(at).as("part " + part + " present after the previous one").isGreaterThan(previous);
            previous = at;
        }
        assertThat(text).as("binary body bytes intact").contains("\r\n\r\n\u0000\u0001\u00ff\r\n");
        assertThat(text).contains("oops");

        executeJson("bin-1", Map.of()).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("execution_bad_json");
    }

    @Test
    void concurrentFirstExecutionsShareOneOnTheFlyCreation() {
        String source = storeExample("hello-shell");
        Map<String, Object> params = Map.of("image", "local/shell", "source", source, "entrypoint", "main.sh",
                "body", "x", "method", "POST");
        List<Integer> statuses = Flux.range(0, 8)
                .flatMap(i -> org.springframework.web.reactive.function.client.WebClient.create("http://127.0.0.1:" + port)
                        .post().uri("/v1/runtimes/fly-1/executions")
                        .header("Authorization", "Bearer " + SECRET)
                        .accept(MediaType.APPLICATION_JSON)
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(params)
                        .retrieve()
                        .toBodilessEntity()
                        .map(entity -> entity.getStatusCode().value()))
                .collectList()
                .block();
        assertThat(statuses).as("every first execution succeeded").hasSize(8).containsOnly(200);
        assertThat(runtimes.list().collectList().block()).as("exactly one runtime created").hasSize(1);
    }
}
