package dev.hearth.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.hearth.pool.Secrets;
import dev.hearth.runner.testing.TarGz;
import tools.jackson.databind.json.JsonMapper;

/**
 * The flow of the upstream executor's {@code testScenarios} (§5.2, test 16; open-runtimes/executor
 * {@code tests/e2e/ExecutorTest.php}), shared by the classes that run its data sets ({@link UpstreamScenariosIT} on the
 * embedded default, {@link DockerUpstreamScenariosIT} with Open Runtimes images): a build of the scenario's source
 * into {@code /storage/builds/test} with {@code remove: true}, then an execution created on the fly from the artifact
 * whose {@code content-type} and {@code accept} are the scenario's type (JSON, or a multipart request body as PHP's curl
 * writes it), the scenario's assertions on the answer, then {@code DELETE}. Runtime ids are upstream's:
 * {@code scenario-build-<folder>-<random>} and {@code scenario-execute-<folder>-<random>}.
 */
final class UpstreamScenarios {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String MULTIPART = "multipart/form-data";
    static final String JSON_TYPE = "application/json";

    private UpstreamScenarios() {
    }

    /**
     * What a scenario runs on: the image, the runtime protocol {@code version}, the function's {@code entrypoint}, the
     * execution's {@code runtimeEntrypoint} (upstream's {@code startCommand}) and the build {@code command} most of its
     * scenarios use.
     */
    record Runtime(String image, String version, String entrypoint, String startCommand, String buildCommand) {
    }

    /** One data set of upstream's {@code provideScenarios}. */
    record Scenario(String folder, Runtime runtime, TarGz.Builder code, String buildCommand, String mimeType,
                    byte[] body, boolean logging, double cpus, int memory, int timeout,
                    Consumer<Answer> assertions, Consumer<Map<?, ?>> buildAssertions) {

        /** Upstream's defaults: the runtime's build command, 1 CPU, 512 MB, a 45 s timeout, no build assertions. */
        Scenario(String folder, Runtime runtime, TarGz.Builder code, String mimeType, byte[] body, boolean logging,
                 Consumer<Answer> assertions) {
            this(folder, runtime, code, runtime.buildCommand(), mimeType, body, logging, 1, 512, 45, assertions,
                    built -> { });
        }

        @Override
        public String toString() {
            String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
            boolean printable = !text.isEmpty() && text.length() <= 16 && text.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
            return folder + " (" + mimeType + (printable ? ", body " + text : "") + (logging ? "" : ", logging off")
                    + ")";
        }
    }

    /**
     * Runs {@code scenario} as upstream's {@code testScenarios} does, its source already stored at {@code source};
     * {@code client} sends the executor's secret.
     */
    static void run(WebTestClient client, Scenario scenario, String source) {
        String id = scenario.folder() + "-" + Secrets.hex(4);
        Runtime runtime = scenario.runtime();

        Map<String, Object> build = new LinkedHashMap<>();
        build.put("runtimeId", "scenario-build-" + id);
        build.put("source", source);
        build.put("destination", "/storage/builds/test");
        build.put("version", runtime.version());
        build.put("entrypoint", runtime.entrypoint());
        build.put("image", runtime.image());
        build.put("workdir", "/usr/code");
        build.put("remove", true);
        build.put("command", scenario.buildCommand());
        build.put("cpus", scenario.cpus());
        build.put("memory", scenario.memory());
        EntityExchangeResult<byte[]> builtResult = client.post().uri("/v1/runtimes")
                .contentType(MediaType.APPLICATION_JSON)
                .header("x-executor-response-format", "0.11.0").bodyValue(build).exchange()
                .expectBody().returnResult();
        byte[] builtBody = builtResult.getResponseBody() == null ? new byte[0] : builtResult.getResponseBody();
        assertThat(builtResult.getStatus().value()).as("the build's status; answer %s",
                new String(builtBody, StandardCharsets.UTF_8)).isEqualTo(201);
        Map<?, ?> built = JSON.readValue(builtBody, Map.class);
        scenario.buildAssertions().accept(built);

        Map<String, Object> params = new LinkedHashMap<>();
        params.put("source", built.get("path"));
        params.put("entrypoint", runtime.entrypoint());
        params.put("image", runtime.image());
        params.put("version", runtime.version());
        params.put("runtimeEntrypoint", runtime.startCommand());
        params.put("timeout", scenario.timeout());
        params.put("logging", scenario.logging());
        params.put("cpus", scenario.cpus());
        params.put("memory", scenario.memory());
        if (scenario.body() != null) {
            params.put("body", scenario.body());
        }
        Answer answer = execute(client, "/v1/runtimes/scenario-execute-" + id + "/executions", scenario.mimeType(),
                params);

        assertThat(answer.contentType()).as("content-type").contains(scenario.mimeType());
        scenario.assertions().accept(answer);

        client.delete().uri("/v1/runtimes/scenario-execute-" + id).exchange().expectStatus().isOk();
    }

    /** A build's {@code output} chunks, as upstream's build assertions join them. */
    static String output(Map<?, ?> built) {
        StringBuilder output = new StringBuilder();
        ((List<?>) built.get("output")).forEach(chunk -> output.append(((Map<?, ?>) chunk).get("content")));
        return output.toString();
    }

    private static Answer execute(WebTestClient client, String uri, String mimeType, Map<String, Object> params) {
        var request = client.post().uri(uri).header("x-executor-response-format", "0.11.0")
                .header(HttpHeaders.ACCEPT, mimeType);
        EntityExchangeResult<byte[]> result;
        if (mimeType.equals(MULTIPART)) {
            String boundary = "----scenario" + System.nanoTime();
            result = request.header(HttpHeaders.CONTENT_TYPE, MULTIPART + "; boundary=" + boundary)
                    .bodyValue(formFields(boundary, params)).exchange().expectBody().returnResult();
        } else {
            Map<String, Object> json = new LinkedHashMap<>(params);
            json.computeIfPresent("body", (key, body) -> new String((byte[]) body, StandardCharsets.UTF_8));
            result = request.header(HttpHeaders.CONTENT_TYPE, mimeType).bodyValue(json).exchange()
                    .expectBody().returnResult();
        }
        return Answer.of(result);
    }

    /** What PHP's curl sends for a params array: one plain field a param, scalars as PHP prints them. */
    private static byte[] formFields(String boundary, Map<String, Object> params) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        params.forEach((name, value) -> {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.writeBytes(value instanceof byte[] bytes ? bytes : php(value).getBytes(StandardCharsets.UTF_8));
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        });
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static String php(Object value) {
        if (value instanceof Boolean bool) {
            return bool ? "1" : "";
        }
        if (value instanceof Double number && number == Math.rint(number)) {
            return Long.toString(number.longValue());
        }
        return String.valueOf(value);
    }

    /** The executor's answer as upstream's test client decodes it: JSON, or multipart parts. */
    record Answer(int status, String contentType, Map<String, Object> json, MultipartAnswer parts) {

        static Answer of(EntityExchangeResult<byte[]> result) {
            String type = String.valueOf(result.getResponseHeaders().getFirst(HttpHeaders.CONTENT_TYPE));
            byte[] body = result.getResponseBody() == null ? new byte[0] : result.getResponseBody();
            int status = result.getStatus().value();
            if (type.startsWith(MULTIPART)) {
                return new Answer(status, type, Map.of(), MultipartAnswer.parse(type, body));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> json = JSON.readValue(body, Map.class);
            return new Answer(status, type, json, null);
        }

        String text(String name) {
            if (parts != null) {
                return parts.text(name);
            }
            assertThat(json).as("answer").containsKey(name);
            return String.valueOf(json.get(name));
        }

        byte[] bytes(String name) {
            return parts != null ? parts.bytes(name) : text(name).getBytes(StandardCharsets.UTF_8);
        }

        double number(String name) {
            return Double.parseDouble(text(name));
        }

        /** The executor answered 200 with the function's status {@code functionStatus}. */
        void isOk(int functionStatus) {
            assertThat(status).as("HTTP status").isEqualTo(200);
            assertThat(text("statusCode")).as("the function's status").isEqualTo(Integer.toString(functionStatus));
        }

        void noLogs() {
            assertThat(text("logs")).as("logs").isEmpty();
            assertThat(text("errors")).as("errors").isEmpty();
        }
    }
}
