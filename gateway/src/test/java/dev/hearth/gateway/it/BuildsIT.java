package dev.hearth.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import dev.hearth.runner.testing.TarGz;
import reactor.core.Disposable;
import reactor.netty.http.client.HttpClient;

/**
 * Builds as Appwrite asks for them (§1.4, §3.1): {@code POST /v1/runtimes} with a {@code command} builds the source
 * in a pod of its image and stores the artifact under {@code destination}; {@code GET …/logs}, opened before the
 * runtime exists, streams the build's output as it is written. Each test ends with nothing held (checked after it).
 */
class BuildsIT extends GatewayITSupport {

    /** {@code <Y-m-d\TH:i:s.vP> <content with \n written as \\n>}. */
    private static final Pattern LOG_LINE =
            Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}[+-]\\d\\d:\\d\\d .*");

    /** Extracts the source, runs its build.sh, and leaves the result where Open Runtimes' scripts leave it. */
    private static final String BUILD = "tar -zxf /tmp/code.tar.gz -C /mnt/code && cd /mnt/code && sh build.sh"
            + " && tar -czf \"$TMPDIR/out.tar.gz\" . && mv \"$TMPDIR/out.tar.gz\" /mnt/code/code.tar.gz";

    @Test
    void aBuildStoresItsArtifactAndARuntimeRunsFromIt() throws IOException {
        String source = source("app-1", "echo building; printf 'echo built-%s' \"$CI\" > main.sh");

        Map<?, ?> built = post("/v1/runtimes", build("p1-d1-build", source, BUILD, true))
                .expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();

        String path = (String) built.get("path");
        assertThat(path).matches("/storage/builds/app-1/[0-9a-f]{20}\\.gz");
        Path artifact = STORAGE.resolve(path.substring(1));
        assertThat(((Number) built.get("size")).longValue()).isEqualTo(Files.size(artifact)).isPositive();
        assertThat(String.join("", contents(built))).contains("building\n");
        assertThat(((Number) built.get("startTime")).doubleValue()).isPositive();
        assertThat(((Number) built.get("duration")).doubleValue()).isPositive();
        await("remove: the build runtime goes once answered").atMost(WAIT)
                .until(() -> runtimes.get("p1-d1-build").blockOptional().isEmpty());

        createRuntime("p1-d1", "local/shell", path, "main.sh").expectStatus().isCreated();
        executeJson("p1-d1", Map.of()).expectStatus().isOk()
                .expectBody().jsonPath("$.body").isEqualTo("built-true\n");
    }

    @Test
    void theLogStreamOpenedBeforeTheBuildFollowsItLiveAndClosesAtItsEnd() throws IOException {
        Path go = Files.createTempFile(WORK, "go", "");
        Files.delete(go);
        String source = source("app-2", "echo first-line; while [ ! -e '" + go + "' ]; do sleep 0.05; done;"
                + " echo second-line; echo main > main.sh");
        LogReader reader = new LogReader("p2-build");
        List<String> lines = reader.lines;
        CompletableFuture<Long> logEnded = reader.ended;
        try {
            CompletableFuture<ResponseEntity<Map>> building = webClient().post().uri("/v1/runtimes")
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(build("p2-build", source, BUILD, true))
                    .retrieve().toEntity(Map.class).toFuture();

            await("the first line arrives while the build still runs").atMost(WAIT)
                    .until(() -> lines.stream().anyMatch(line -> line.endsWith(" first-line\\n")));
            assertThat(building).as("the build waits for the go file").isNotDone();
            Files.createFile(go);

            ResponseEntity<Map> answer = building.join();
            long answered = System.currentTimeMillis();
            assertThat(answer.getStatusCode().value()).isEqualTo(201);
            await("the log stream closes with the build").atMost(WAIT).until(logEnded::isDone);
            assertThat(logEnded.join() - answered).as("ms from the answer to the log stream's end").isLessThan(1000);
            assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line).matches(LOG_LINE));
            List<String> stamps = lines.stream().map(line -> line.substring(0, line.indexOf(' '))).toList();
            assertThat(stamps).as("timestamps never go back").isSorted();
            assertThat(String.join("", lines.stream().map(line -> line.substring(line.indexOf(' ') + 1)).toList()))
                    .contains("first-line\\n").contains("second-line\\n");
        } finally {
            reader.close();
        }
    }

    @Test
    void eachLineReachesTheLogStreamSoonAfterItIsPrinted() throws IOException {
        String source = source("app-ticks", "for i in 1 2 3 4 5 6 7 8 9 10; do echo \"tick $(date +%s%3N)\"; sleep 0.1; done");
        LogReader reader = new LogReader("ticks-build");
        try {
            Map<String, Object> request = build("ticks-build", source, "tar -zxOf /tmp/code.tar.gz build.sh | sh", false);
            request.put("destination", "");
            post("/v1/runtimes", request).expectStatus().isCreated();
            await("the log stream ends").atMost(WAIT).until(reader.ended::isDone);

            List<Long> delays = reader.ticks.stream().sorted().toList();
            System.out.println("BuildsIT: ms from a build line's printing to its arrival on the log stream: " + delays);
            assertThat(delays).as("one delay a tick").hasSize(10);
            assertThat(delays.get(delays.size() / 2)).as("median ms, print to arrival").isLessThanOrEqualTo(200);
            assertThat(delays.get(delays.size() - 1)).as("slowest ms, print to arrival").isLessThan(1000);
        } finally {
            reader.close();
        }
    }

    /** Follows {@code GET …/logs} as Appwrite does, from before the runtime exists: whole lines, as they arrive. */
    private final class LogReader {

        final List<String> lines = new CopyOnWriteArrayList<>();
        /** For each {@code tick <epoch ms>} line: ms from its printing to its arrival. */
        final List<Long> ticks = new CopyOnWriteArrayList<>();
        /** When the stream ended (epoch ms). */
        final CompletableFuture<Long> ended = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private final Disposable stream;

        LogReader(String runtimeId) {
            stream = HttpClient.create()
                    .headers(h -> h.set("authorization", "Bearer " + SECRET).set("accept", "text/event-stream"))
                    .get().uri("http://127.0.0.1:" + port + "/v1/runtimes/" + runtimeId + "/logs?timeout=60")
                    .responseContent().asString(StandardCharsets.UTF_8)
                    .subscribe(this::accept, ended::completeExceptionally,
                            () -> ended.complete(System.currentTimeMillis()));
        }

        private void accept(String chunk) {
            long arrived = System.currentTimeMillis();
            partial.append(chunk);
            for (int end; (end = partial.indexOf("\n")) >= 0; partial.delete(0, end + 1)) {
                String line = partial.substring(0, end);
                lines.add(line);
                java.util.regex.Matcher tick = TICK.matcher(line);
                while (tick.find()) {
                    ticks.add(arrived - Long.parseLong(tick.group(1)));
                }
            }
        }

        void close() {
            stream.dispose();
        }
    }

    private static final Pattern TICK = Pattern.compile("tick (\\d{13})");

    @Test
    void anHttpFunctionBuiltFromItsSourceServesWhatItsBuildGenerated() throws IOException {
        String server = "const fs = require('fs'); const http = require('http');"
                + " const made = fs.readFileSync(__dirname + '/generated.txt', 'utf8').trim();"
                + " http.createServer((req, res) => res.end('served ' + made)).listen(Number(process.env.PORT), '127.0.0.1');";
        String source = "/" + store("storage/functions/app-http/code.tar.gz", TarGz.builder()
                .file("index.js", server)
                .file("build.sh", "echo \"generated at build by $APPWRITE_FUNCTION_ID\" > generated.txt"));
        Map<String, Object> request = build("http-build", source, BUILD, true);
        request.put("image", "local/node");
        request.put("entrypoint", "index.js");

        Map<?, ?> built = post("/v1/runtimes", request).expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();

        createRuntime("http-run", "local/node", (String) built.get("path"), "index.js").expectStatus().isCreated();
        executeJson("http-run", Map.of()).expectStatus().isOk()
                .expectBody().jsonPath("$.body").isEqualTo("served generated at build by f1");
    }

    @Test
    void outputOverTheLimitIsCutToUpstreamsMillionBytes() throws IOException {
        // 1.5 MB of output, then failure: the message is the output's first 1,000,000 bytes, trimmed.
        String source = source("app-big", "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 1500000; exit 1");

        String message = (String) post("/v1/runtimes", build("big-build", source, BUILD, true))
                .expectStatus().isBadRequest()
                .expectBody(Map.class).returnResult().getResponseBody().get("message");

        assertThat(message.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1_000_000)
                .isGreaterThan(990_000);
        assertThat(message).startsWith("0123456789abcdefghijklmnopqrstuvwxyz\n");
    }

    @Test
    void aBuildPastItsTimeoutIsKilledAnd400BuildFailed() throws IOException {
        String source = source("app-slow", "echo before; sleep 60; echo after");
        Map<String, Object> request = build("slow-build", source, BUILD, true);
        request.put("timeout", 1);

        String message = (String) post("/v1/runtimes", request).expectStatus().isBadRequest()
                .expectBody(Map.class).returnResult().getResponseBody().get("message");

        assertThat(message).startsWith("before").endsWith("Build timed out.").doesNotContain("after");
        await("the build's process tree is gone").atMost(WAIT).until(() -> ProcessHandle.current().descendants()
                .noneMatch(process -> process.info().commandLine().orElse("").contains("sleep 60")));
    }

    @Test
    void aMissingSourceIs500NamingItAndHoldsNothing() {
        post("/v1/runtimes", build("nosrc-build", "/storage/functions/none/code.tar.gz", BUILD, true))
                .expectStatus().isEqualTo(500)
                .expectBody()
                .jsonPath("$.type").isEqualTo("general_unknown")
                .jsonPath("$.message").value(message -> assertThat(message.toString())
                        .contains("/storage/functions/none/code.tar.gz"));
        await("nothing registered").atMost(WAIT).until(() -> runtimes.get("nosrc-build").blockOptional().isEmpty());
    }

    @Test
    void aBadCacheKeyIs400BeforeAnythingIsClaimed() throws IOException {
        Map<String, Object> request = build("key-build", source("app-key", "true"), BUILD, true);
        request.put("cacheKey", "../escape");

        post("/v1/runtimes", request).expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.type").isEqualTo("execution_bad_request")
                .jsonPath("$.message").value(message -> assertThat(message.toString()).contains("cacheKey"));
        assertThat(runtimes.get("key-build").blockOptional()).isEmpty();
    }

    @Test
    void aFailedBuildIs400BuildFailedWithItsOutputAndStoresNothing() throws IOException {
        String source = source("app-3", "echo 'npm ERR! missing script'; exit 3");

        post("/v1/runtimes", build("p3-build", source, BUILD, false))
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.type").isEqualTo("build_failed")
                .jsonPath("$.code").isEqualTo(400)
                .jsonPath("$.message").isEqualTo("npm ERR! missing script\nBuild command exited with code 3.");

        assertThat(STORAGE.resolve("storage/builds/app-3")).doesNotExist();
        await("a failed build's runtime is removed, remove or not").atMost(WAIT)
                .until(() -> runtimes.get("p3-build").blockOptional().isEmpty());
    }

    @Test
    void aBuildThatLeavesNoArtifactIs500AndStoresNothing() throws IOException {
        String source = source("app-4", "true");

        post("/v1/runtimes", build("p4-build", source, "echo no artifact", true))
                .expectStatus().isEqualTo(500)
                .expectBody()
                .jsonPath("$.type").isEqualTo("general_unknown")
                .jsonPath("$.message").value(message -> assertThat(message.toString())
                        .startsWith("Failed to move built code to storage"));

        try (Stream<Path> left = Files.walk(STORAGE.resolve("storage/builds/app-4"))) {
            assertThat(left.filter(Files::isRegularFile)).as("no partial object").isEmpty();
        } catch (java.nio.file.NoSuchFileException none) {
            // nothing was created at all
        }
    }

    @Test
    void aKeptBuildIsListedInitialisedAndShowsItsBuildLog() throws IOException {
        String source = source("app-5", "echo kept-output; echo main > main.sh");

        post("/v1/runtimes", build("p5-build", source, BUILD, false)).expectStatus().isCreated();

        client.get().uri("/v1/runtimes/p5-build").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.initialised").isEqualTo(1);
        String log = client.get().uri("/v1/runtimes/p5-build/logs?timeout=10").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(log).contains("kept-output\\n");
    }

    @Test
    void aBuildDeletedWhileItRunsFailsAndLeavesNothing() throws IOException {
        String source = source("app-6", "echo started; sleep 60");
        CompletableFuture<ResponseEntity<String>> building = webClient().post().uri("/v1/runtimes")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(build("p6-build", source, BUILD, true))
                .exchangeToMono(response -> response.toEntity(String.class)).toFuture();
        await("the build runs in its pod").atMost(WAIT).until(() -> runtimes.get("p6-build").blockOptional()
                .filter(record -> !record.podId().isEmpty()).isPresent());

        client.method(org.springframework.http.HttpMethod.DELETE).uri("/v1/runtimes/p6-build")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("[]").exchange()
                .expectStatus().isOk();

        ResponseEntity<String> answer = building.join();
        assertThat(answer.getStatusCode().value()).isGreaterThanOrEqualTo(400);
        assertThat(answer.getBody()).contains("\"type\"").contains("\"message\"");
        assertThat(STORAGE.resolve("storage/builds/app-6")).doesNotExist();
    }

    @Test
    void aBuildWhoseCallerLeavesIsEnded() throws IOException {
        String source = source("app-7", "sleep 60");
        Disposable call = webClient().post().uri("/v1/runtimes")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(build("p7-build", source, BUILD, true))
                .retrieve().toBodilessEntity().subscribe(ok -> { }, error -> { });
        await("the build runs in its pod").atMost(WAIT).until(() -> runtimes.get("p7-build").blockOptional()
                .filter(record -> !record.podId().isEmpty()).isPresent());

        call.dispose();

        await("the caller's leaving ends the build's runtime").atMost(WAIT)
                .until(() -> runtimes.get("p7-build").blockOptional().isEmpty());
    }

    /** A function source whose {@code build.sh} is {@code script}, stored as Appwrite stores deployments. */
    private static String source(String app, String script) {
        return "/" + store("storage/functions/" + app + "/code.tar.gz",
                TarGz.builder().file("build.sh", script));
    }

    /** The create-runtime body Appwrite's build worker sends, keys in its order. */
    private static Map<String, Object> build(String runtimeId, String source, String command, boolean remove) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("runtimeId", runtimeId);
        body.put("source", source);
        body.put("destination", "/storage/builds/" + source.split("/")[3]);
        body.put("image", "local/shell");
        body.put("entrypoint", "main.sh");
        body.put("variables", Map.of("APPWRITE_FUNCTION_ID", "f1", "NUMBER", 7));
        body.put("remove", remove);
        body.put("command", command);
        body.put("cpus", 1.0);
        body.put("memory", 1024);
        body.put("version", "v5");
        body.put("timeout", 120);
        body.put("outputDirectory", "");
        body.put("runtimeEntrypoint", "");
        body.put("cacheKey", "0123456789abcdef0123456789abcdef0123456789abcdef");
        return body;
    }

    private static List<String> contents(Map<?, ?> built) {
        return ((List<?>) built.get("output")).stream().map(chunk -> (String) ((Map<?, ?>) chunk).get("content"))
                .toList();
    }

    private WebClient webClient() {
        return WebClient.builder().baseUrl("http://127.0.0.1:" + port)
                .defaultHeader("Authorization", "Bearer " + SECRET).build();
    }
}
