package dev.hearth.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.hearth.runner.testing.TarGz;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The upstream executor's end-to-end scenarios that are pure HTTP (open-runtimes/executor
 * {@code tests/e2e/ExecutorTest.php}; reference §5.2, tests 3–8, 11, 15, 19, 20), one method each, named as upstream
 * names it, asserting what upstream asserts (statuses, messages, types, shapes), against Hearth on the embedded default
 * with local storage: sources live under {@code /storage/functions/<fixture>/code.tar.gz} as upstream mounts them.
 *
 * <p>Upstream's fixtures are PHP and Node functions in Open Runtimes images; here they are equivalent functions of the
 * embedded default's adapters, each method's Javadoc says which. Open Runtimes' {@code helpers/build.sh "<cmd>"} (run
 * the command in {@code /mnt/code}, pack the result to {@code /mnt/code/code.tar.gz}) becomes {@link #build(String)},
 * and {@code helpers/start.sh "<cmd>"} becomes the start command itself. Upstream's tests run in order and depend on
 * each other's cleanup; here every test starts from no runtime (the support class deletes what a test leaves and
 * proves nothing leaked). {@code testCommands} (19) is here too; {@link CommandsIT} keeps Hearth's own additions.
 */
class UpstreamExecutorIT extends GatewayITSupport {

    /** Upstream's PHP function, as a Node server of the {@code http} adapter: JSON, a header {@code x-key: aValue}. */
    private static final String PHP_FUNCTION = """
            const http = require('http');
            http.createServer((req, res) => {
              const chunks = [];
              req.on('data', chunk => chunks.push(chunk));
              req.on('end', () => {
                res.writeHead(200, {'content-type': 'application/json', 'x-key': 'aValue'});
                res.end(JSON.stringify({isTest: true, message: 'Hello Open Runtimes 👋', url: req.url,
                  variable: process.env.customVariable || null, body: Buffer.concat(chunks).toString()}));
              });
            }).listen(Number(process.env.PORT), '127.0.0.1');
            """;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** {@code php src/server.php} behind {@code helpers/start.sh}: the start command of the built function. */
    private static final String START = "node index.js";

    /** The executor's client as upstream's test sets it up: JSON requests, response format 0.11.0, the key. */
    private WebTestClient upstream;

    @BeforeEach
    void upstreamClient() {
        upstream = client.mutate()
                .defaultHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE)
                .defaultHeader("x-executor-response-format", "0.11.0")
                .build();
    }

    /** §5.2 test 3. */
    @Test
    void testUnknownPath() {
        upstream.get().uri("/v1/unknown").exchange()
                .expectStatus().isNotFound()
                .expectBody()
                .jsonPath("$.message").isEqualTo("Not Found")
                .jsonPath("$.type").isEqualTo("general_unknown")
                .jsonPath("$.code").isEqualTo(404);
    }

    /** §5.2 test 4. */
    @Test
    void testGetRuntimesEmpty() {
        upstream.get().uri("/v1/runtimes").exchange()
                .expectStatus().isOk()
                .expectBody().json("[]", true);
    }

    /** §5.2 test 5. */
    @Test
    void testGetRuntimeUnknown() {
        upstream.get().uri("/v1/runtimes/id").exchange()
                .expectStatus().isNotFound()
                .expectBody()
                .jsonPath("$.message").isEqualTo("Runtime not found")
                .jsonPath("$.type").isEqualTo("runtime_not_found");
    }

    /** §5.2 test 6. */
    @Test
    void testDeleteRuntimeUnknown() {
        upstream.delete().uri("/v1/runtimes/test").exchange()
                .expectStatus().isNotFound()
                .expectBody()
                .jsonPath("$.message").isEqualTo("Runtime not found")
                .jsonPath("$.type").isEqualTo("runtime_not_found");
    }

    /** §5.2 test 7: {@code setKey('')} sends {@code Authorization: Bearer } with nothing after the scheme. */
    @Test
    void testGetRuntimesUnauthorized() {
        upstream.get().uri("/v1/runtimes").header(HttpHeaders.AUTHORIZATION, "Bearer ").exchange()
                .expectStatus().isUnauthorized()
                .expectBody()
                .jsonPath("$.message").isEqualTo("Missing executor key")
                .jsonPath("$.type").isEqualTo("general_unauthorized");
    }

    /**
     * §5.2 test 8. Upstream builds its PHP function with {@code composer install} in {@code openruntimes/php:v5-8.1};
     * here the Node function of {@link #PHP_FUNCTION} with an equivalent install step in {@code local/node}. Upstream's
     * check that {@code /tmp/executor-test-build-<id>} is gone is the support class's check that nothing is left.
     */
    @Test
    void testBuild() {
        String source = phpFunction();

        buildRequest("test-build-1", source, build("echo 'composer install' && echo installed > vendor.txt"))
                .expectStatus().isCreated();

        upstream.get().uri("/v1/runtimes").exchange()
                .expectStatus().isOk()
                .expectBody().json("[]", true); // not 1: remove took it before the answer

        upstream.get().uri("/v1/runtimes/test-build-selfdelete-1").exchange().expectStatus().isNotFound();

        buildRequest("test-build-fail-400-1", source, "cp doesnotexist.js doesnotexist2.js")
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("build_failed");

        buildRequest("test-build-fail-silent-1", source, "exit 1")
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.type").isEqualTo("build_failed")
                .jsonPath("$.message").value(message -> assertThat(message.toString())
                        .contains("Build command exited with code 1."));

        Map<String, Object> badKey = buildParams("test-build-fail-cache-key-1", source, build("true"));
        badKey.put("cacheKey", "..");
        upstream.post().uri("/v1/runtimes").bodyValue(badKey).exchange()
                .expectStatus().isBadRequest();

        buildRequest("test-build-fail-500-1", "/storage/fake_path/code.tar.gz", build("true"))
                .expectStatus().isEqualTo(500);

        upstream.get().uri("/v1/runtimes").exchange().expectBody().json("[]", true);
    }

    /**
     * §5.2 test 11. Upstream's PHP function (JSON and {@code x-key: aValue}, built with {@code composer install},
     * started with {@code helpers/start.sh "php src/server.php"}) is {@link #PHP_FUNCTION} in {@code local/node},
     * started with {@value #START}.
     */
    @Test
    void testExecute() {
        Map<?, ?> built = buildRequest("test-build", phpFunction(), build("echo 'composer install'"))
                .expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        String buildPath = (String) built.get("path");
        assertThat(buildPath).as("path").isNotEmpty();

        upstream.post().uri("/v1/runtimes").bodyValue(Map.of("runtimeId", "test-exec", "source", buildPath,
                        "entrypoint", "index.js", "image", "local/node", "runtimeEntrypoint", START))
                .exchange().expectStatus().isCreated();

        // No params at all: PHP's client sends an empty array as "[]"; no accept header, so multipart.
        MultipartAnswer first = multipart(upstream.post().uri("/v1/runtimes/test-exec/executions").bodyValue("[]"));
        assertThat(first.text("statusCode")).isEqualTo("200");
        assertThat(JSON.readValue(first.text("headers"), Map.class)).as("the headers part, JSON")
                .containsEntry("x-key", "aValue");

        // Execute on the cold-started runtime, with a body and variables.
        MultipartAnswer withBody = multipart(upstream.post().uri("/v1/runtimes/test-exec/executions")
                .bodyValue(Map.of("body", "test payload", "variables", Map.of("customVariable", "mySecret"))));
        assertThat(withBody.text("body")).as("the function got the body").contains("\"body\":\"test payload\"");

        upstream.delete().uri("/v1/runtimes/test-exec").exchange().expectStatus().isOk();

        // Execute on a new runtime, created on the fly.
        Map<String, Object> coldStart = new LinkedHashMap<>(Map.of("source", buildPath, "entrypoint", "index.js",
                "image", "local/node", "runtimeEntrypoint", START));
        multipart(upstream.post().uri("/v1/runtimes/test-exec-coldstart/executions").bodyValue(coldStart));

        coldStart.put("path", "v1/users");
        MultipartAnswer noSlash = multipart(upstream.post().uri("/v1/runtimes/test-exec-coldstart/executions")
                .bodyValue(coldStart));
        assertThat(noSlash.text("statusCode")).isEqualTo("200");
        assertThat(noSlash.text("body")).as("a leading / is added").contains("\"url\":\"/v1/users\"");

        coldStart.put("path", "/v1/users");
        MultipartAnswer slash = multipart(upstream.post().uri("/v1/runtimes/test-exec-coldstart/executions")
                .bodyValue(coldStart));
        assertThat(slash.text("statusCode")).isEqualTo("200");

        for (String accept : List.of("application/json", "application/*", "text/plain, application/json")) {
            upstream.post().uri("/v1/runtimes/test-exec-coldstart/executions").header(HttpHeaders.ACCEPT, accept)
                    .bodyValue(coldStart).exchange()
                    .expectStatus().isOk()
                    .expectHeader().valueEquals(HttpHeaders.CONTENT_TYPE, "application/json");
        }
        for (String accept : List.of("application/xml", "text/plain", "*/*")) {
            String type = upstream.post().uri("/v1/runtimes/test-exec-coldstart/executions")
                    .header(HttpHeaders.ACCEPT, accept).bodyValue(coldStart).exchange()
                    .expectStatus().isOk()
                    .returnResult(byte[].class).getResponseHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
            assertThat(type).as("content-type for accept " + accept).startsWith("multipart/form-data");
        }

        coldStart.put("method", "HEAD");
        MultipartAnswer head = multipart(upstream.post().uri("/v1/runtimes/test-exec-coldstart/executions")
                .bodyValue(coldStart));
        assertThat(head.bytes("body")).as("HEAD answers no body").isEmpty();

        upstream.delete().uri("/v1/runtimes/test-exec-coldstart").exchange().expectStatus().isOk();
    }

    /**
     * §5.2 test 15. Upstream's {@code php-build-logs} fixture prints "First log", 7 × 128 KiB of {@code 1} (twice
     * that for the large variants), "Last log", and fails or not; here the same output from {@code sh} in
     * {@code local/shell}. Beyond upstream's bounds, Hearth's exact limit: a failure's message and a success's output
     * keep exactly the first 1,000,000 bytes.
     */
    @Test
    void testBuildLogLimit() {
        int size128Kb = 128 * 1024;
        String source = "/" + store("storage/functions/php-build-logs/code.tar.gz", TarGz.builder()
                .file("_logs.sh", "for i in 1 2 3 4 5 6 7; do head -c " + size128Kb + " /dev/zero | tr '\\0' 1; done\n")
                .file("logs_failure.sh", logScript(1, true))
                .file("logs_success.sh", logScript(1, false))
                .file("logs_failure_large.sh", logScript(2, true))
                .file("logs_success_large.sh", logScript(2, false)));

        String message = failedMessage(source, "logs_failure.sh");
        assertThat(bytes(message)).isGreaterThanOrEqualTo(size128Kb * 7);
        assertThat(message).contains("First log").contains("Last log");

        String output = builtOutput(source, "logs_success.sh");
        assertThat(bytes(output)).isGreaterThanOrEqualTo(size128Kb * 7);
        assertThat(output).contains("First log").contains("Last log");

        String large = failedMessage(source, "logs_failure_large.sh");
        assertThat(bytes(large)).isGreaterThanOrEqualTo(1_000_000).as("exactly the first 1,000,000 bytes")
                .isEqualTo(1_000_000);
        assertThat(large).doesNotContain("Last log").startsWith("First log");

        String largeOutput = builtOutput(source, "logs_success_large.sh");
        assertThat(bytes(largeOutput)).isGreaterThanOrEqualTo(1_000_000);
        assertThat(largeOutput).doesNotContain("Last log").contains("First log")
                .endsWith("1Logs truncated due to size exceeding 5.00MB.");
        assertThat(bytes(largeOutput)).as("the first 1,000,000 bytes, then the note")
                .isEqualTo(1_000_000 + bytes("Logs truncated due to size exceeding 5.00MB."));
    }

    /**
     * §5.2 test 19 (moved here from {@link CommandsIT}). Upstream creates a {@code php} runtime with no source and the
     * entrypoint {@code tail -f /dev/null}; here a {@code local/shell} one. Upstream checks messages only with
     * "contains"; Hearth's answers are exact, types included.
     */
    @Test
    void testCommands() {
        upstream.post().uri("/v1/runtimes").bodyValue(Map.of("runtimeId", "test-commands", "remove", false,
                        "image", "local/shell", "entrypoint", "tail -f /dev/null"))
                .exchange().expectStatus().isCreated();

        command("test-commands", Map.of("command", "echo \"Hello, World!\""))
                .expectStatus().isOk()
                .expectBody().jsonPath("$.output").isEqualTo("Hello, World!\n");

        command("test-commands", Map.of("command", "sleep 5 && echo \"Ok\"", "timeout", 1))
                .expectStatus().isEqualTo(500)
                .expectBody()
                .jsonPath("$.type").isEqualTo("command_timeout")
                .jsonPath("$.message").isEqualTo("Operation timed out.");

        command("test-commands", Map.of("command", "exit 1"))
                .expectStatus().isEqualTo(500)
                .expectBody()
                .jsonPath("$.type").isEqualTo("command_failed")
                .jsonPath("$.message").isEqualTo("Failed to execute command.");

        upstream.delete().uri("/v1/runtimes/test-commands").exchange().expectStatus().isOk();
        upstream.delete().uri("/v1/runtimes/test-commands").exchange().expectStatus().isNotFound();

        command("test-commands", Map.of("command", "echo 123"))
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("runtime_not_found");
    }

    /**
     * §5.2 test 20. Upstream builds its Node fixture ({@code npm install && npm run build}, ten steps of output) with
     * {@code remove: false} while following the log; here ten steps of {@code sh} in {@code local/shell}. The stream
     * must end within 1 s of the build's answer.
     */
    @Test
    void testLogStreamPersistent() {
        String source = "/" + store("storage/functions/node/code.tar.gz", TarGz.builder()
                .file("build.sh", "echo 'Environment preparation started'; for i in 1 2 3 4 5 6 7 8 9 10; do"
                        + " echo \"Step: $i\"; sleep 0.05; done; echo 'Build finished'"));
        CompletableFuture<Long> realtimeEnd = new CompletableFuture<>();
        var stream = HttpClient.create()
                .headers(h -> h.set(HttpHeaders.AUTHORIZATION, "Bearer " + SECRET))
                .get().uri("http://127.0.0.1:" + port + "/v1/runtimes/test-log-stream-persistent/logs")
                .responseContent().aggregate().asString(StandardCharsets.UTF_8)
                .subscribe(text -> { }, realtimeEnd::completeExceptionally,
                        () -> realtimeEnd.complete(System.currentTimeMillis()));
        try {
            Map<String, Object> params = buildParams("test-log-stream-persistent", source, build("sh build.sh"));
            params.put("destination", "/storage/builds/test-logs");
            params.put("remove", false);
            upstream.post().uri("/v1/runtimes").bodyValue(params).exchange().expectStatus().isCreated();
            long runtimeEnd = System.currentTimeMillis();

            long streamEnded = realtimeEnd.orTimeout(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).join();
            assertThat(Math.abs(runtimeEnd - streamEnded)).as("ms between the build's answer and the stream's end")
                    .isLessThanOrEqualTo(1000);
        } finally {
            stream.dispose();
        }

        upstream.delete().uri("/v1/runtimes/test-log-stream-persistent").exchange().expectStatus().isOk();
    }

    /** Open Runtimes' {@code helpers/build.sh "<command>"}: the command in the extracted code, the code packed. */
    private static String build(String command) {
        return "tar -zxf /tmp/code.tar.gz -C /mnt/code && cd /mnt/code && (" + command + ")"
                + " && tar -czf \"$TMPDIR/out.tar.gz\" . && mv \"$TMPDIR/out.tar.gz\" /mnt/code/code.tar.gz";
    }

    private static String phpFunction() {
        return "/" + store("storage/functions/php/code.tar.gz", TarGz.builder().file("index.js", PHP_FUNCTION));
    }

    /** Upstream's build params: {@code destination /storage/builds/test}, {@code remove: true}. */
    private static Map<String, Object> buildParams(String runtimeId, String source, String command) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("runtimeId", runtimeId);
        params.put("source", source);
        params.put("destination", "/storage/builds/test");
        params.put("entrypoint", "index.js");
        params.put("image", "local/node");
        params.put("command", command);
        params.put("remove", true);
        return params;
    }

    private WebTestClient.ResponseSpec buildRequest(String runtimeId, String source, String command) {
        return upstream.post().uri("/v1/runtimes").bodyValue(buildParams(runtimeId, source, command)).exchange();
    }

    private String failedMessage(String source, String script) {
        Map<String, Object> params = buildParams("test-build-logs-" + script.hashCode(), source, build("bash " + script));
        params.put("image", "local/shell");
        return (String) upstream.post().uri("/v1/runtimes").bodyValue(params).exchange()
                .expectStatus().isBadRequest()
                .expectBody(Map.class).returnResult().getResponseBody().get("message");
    }

    private String builtOutput(String source, String script) {
        Map<String, Object> params = buildParams("test-build-logs-" + script.hashCode(), source, build("bash " + script));
        params.put("image", "local/shell");
        Map<?, ?> built = upstream.post().uri("/v1/runtimes").bodyValue(params).exchange()
                .expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        StringBuilder output = new StringBuilder();
        ((List<?>) built.get("output")).forEach(chunk -> output.append(((Map<?, ?>) chunk).get("content")));
        return output.toString();
    }

    /** {@code set -e; echo "First log"; sh _logs.sh (× times); echo "Last log"}, then {@code exit 1} if it fails. */
    private static String logScript(int times, boolean fails) {
        return "set -e\necho \"First log\"\n" + "sh _logs.sh\n".repeat(times) + "echo \"Last log\"\n"
                + (fails ? "exit 1\n" : "");
    }

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The execution's answer, {@code 200} and multipart (the default without {@code accept}), split into parts. */
    private static MultipartAnswer multipart(WebTestClient.RequestHeadersSpec<?> request) {
        EntityExchangeResult<byte[]> result = request.exchange()
                .expectStatus().isOk()
                .expectBody().returnResult();
        return MultipartAnswer.parse(result.getResponseHeaders().getFirst(HttpHeaders.CONTENT_TYPE),
                result.getResponseBody() == null ? new byte[0] : result.getResponseBody());
    }

    private WebTestClient.ResponseSpec command(String runtimeId, Map<String, ?> body) {
        return upstream.post().uri("/v1/runtimes/" + runtimeId + "/commands").bodyValue(body).exchange();
    }
}
