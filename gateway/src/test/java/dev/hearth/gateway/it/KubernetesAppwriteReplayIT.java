package dev.hearth.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hearth.gateway.storage.S3MockProcess;
import dev.hearth.pool.Pools;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.runner.testing.TestDistribution;
import dev.hearth.runner.testing.docker.LocalImages;
import dev.hearth.runner.testing.docker.OpenRuntimesImages;
import io.kubernetes.client.openapi.models.V1Pod;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;

/**
 * Appwrite 1.9.6's calls ({@link AppwriteCalls}: headers, part order and encodings as Appwrite writes them) replayed
 * against the gateway with {@code hearth.driver=kubernetes}, the mock API server's kubelet in container mode, S3
 * storage (S3Mock), and a pool for {@code openruntimes/node:v5-22} configured as the chart's Open Runtimes entry
 * (root, a writable root, {@code workingDir: /usr/local/server}, {@code /mnt/telemetry}). The image under that name
 * is the clean-room v5 image of {@code docker/testing/openruntimes/v5}, run unchanged: its own helpers build and
 * start the function, its own server answers on port 3000.
 *
 * <p>The harness's pods share the host's network, so port 3000 is the host's: only one Open Runtimes server can
 * listen at a time. This class therefore runs one runtime at a time (a build starts no server) and deletes it before
 * it ends; nothing else in the build may run an Open Runtimes server concurrently.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hearth.driver=kubernetes",
        "hearth.executor.secret=" + KubernetesAppwriteReplayIT.SECRET,
        "hearth.pool-defaults.acquire-timeout=60s",
        "hearth.pool-defaults.start-timeout=60s",
        "hearth.pool-defaults.kubernetes.limits.memory=512Mi",
        "hearth.pool-defaults.kubernetes.limits.cpu=1",
        "hearth.pools[0].image=" + OpenRuntimesImages.APPWRITE_NODE,
        "hearth.pools[0].adapter=openruntimes",
        "hearth.pools[0].command=" + AppwriteCalls.RUNTIME_ENTRYPOINT,
        "hearth.pools[0].size=1",
        "hearth.pools[0].kubernetes.run-as-user=0",
        "hearth.pools[0].kubernetes.read-only-root-filesystem=false",
        "hearth.pools[0].kubernetes.working-dir=/usr/local/server",
        "hearth.pools[0].kubernetes.writable-paths[0]=/mnt/telemetry",
        "hearth.kubernetes.api-retries=1",
})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class KubernetesAppwriteReplayIT {

    static final String SECRET = "appwrite-replay-secret";
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String RUNNER_IMAGE = buildImages();
    static final KubernetesHarness HARNESS = KubernetesHarness.builder().namespace("hearth").containers().build();
    @RegisterExtension
    static final S3MockProcess S3 = new S3MockProcess();
    static final ObjectMapper JSON = new ObjectMapper();
    static final AppwriteCalls APPWRITE = new AppwriteCalls(SECRET, OpenRuntimesImages.APPWRITE_NODE);
    /** The function's variables as Appwrite passes them to the build and to every execution. */
    static final Map<String, String> VARIABLES = variables();

    @Value("${local.server.port}")
    int port;

    @Autowired
    Pools pools;

    @Autowired
    LeaseStore leases;

    WebTestClient client;

    @DynamicPropertySource
    static void cluster(DynamicPropertyRegistry registry) {
        registry.add("hearth.kubernetes.api-server", () -> HARNESS.apiClient().getBasePath());
        registry.add("hearth.kubernetes.namespace", HARNESS::namespace);
        registry.add("hearth.kubernetes.runner-port", HARNESS::runnerPort);
        registry.add("hearth.kubernetes.runner-image", () -> RUNNER_IMAGE);
        registry.add("hearth.storage.dsn", () -> "s3://replay-key:replay-secret@" + S3.endpoint().getAuthority() + "/"
                + S3MockProcess.BUCKET + "?region=us-east-1&insecure=true");
    }

    @AfterAll
    static void nothingLeaks() {
        String label = HARNESS.kubelet().containerLabelValue();
        HARNESS.close();
        assertThat(LocalImages.requireEngine().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("dev.hearth.harness", label)).exec())
                .as("containers of the harness after it closed").isEmpty();
    }

    @BeforeEach
    void client() {
        // No default headers: every header on the wire is one the replayed call carries.
        client = WebTestClient.bindToServer(new ReleasingConnector()).baseUrl("http://127.0.0.1:" + port).responseTimeout(WAIT).build();
    }

    @Test
    void appwritesBuildExecutionsAndDeleteRunThroughAnUnchangedV5Image() throws IOException {
        await("the Open Runtimes pool is warm").atMost(WAIT).until(() -> pods().size() == 1);
        String artifact = build();
        await("remove: true ends the build's runtime").atMost(WAIT).until(() -> client.get()
                .uri("/v1/runtimes/p1-d1-build").header("authorization", "Bearer " + SECRET)
                .exchange().returnResult(String.class).getStatus().value() == 404);

        apiExecutionAnswersWithStatusHeadersBodyLogsAndErrors(artifact);
        String runtimePod = runtimePod();
        routerExecutionCarriesTheHostAndRepeatedCookies(artifact);
        loggingZeroYieldsEmptyLogs(artifact);
        binaryBodiesAndThrownErrorsComeBackIntact(artifact);

        APPWRITE.delete("p1", "d1").exchange(client).expectStatus().isOk();
        APPWRITE.delete("p1", "d1").exchange(client).expectStatus().isNotFound();
        nothingIsLeft(runtimePod);
    }

    /** The Builds worker's call: the artifact lands in the bucket, the build's own log lines are its output. */
    private String build() throws IOException {
        String source = "/storage/functions/app-p1/" + AppwriteCalls.uniqid() + ".tar.gz";
        S3.client().putObject(b -> b.bucket(S3MockProcess.BUCKET).key(source.substring(1)),
                AsyncRequestBody.fromBytes(functionArchive())).join();
        AppwriteCalls.Call call = APPWRITE.build(new AppwriteCalls.Build("p1", "d1", source, "index.js", VARIABLES,
                "echo \"built for $APPWRITE_FUNCTION_ID\" > built.txt"));
        assertThat(new String(call.body(), StandardCharsets.UTF_8)).as("the build call as PHP encodes it")
                .contains("\"source\":\"\\/storage\\/functions\\/app-p1\\/", "\"remove\":true", "\"cpus\":1.0",
                        "\"command\":\"tar -zxf \\/tmp\\/code.tar.gz -C \\/mnt\\/code && helpers\\/build.sh 'echo");

        // As the Builds worker does: the log stream asked for alongside the build, here even before it.
        CompletableFuture<EntityExchangeResult<byte[]>> log = CompletableFuture.supplyAsync(() ->
                APPWRITE.buildLogs("p1", "d1").exchange(client).expectBody().returnResult());
        byte[] answer = call.exchange(client).expectStatus().isCreated().expectBody().returnResult().getResponseBody();
        EntityExchangeResult<byte[]> streamed = log.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        String lines = new String(streamed.getResponseBody() == null ? new byte[0] : streamed.getResponseBody(),
                StandardCharsets.UTF_8);
        assertThat(streamed.getStatus().value()).as("the log stream's status; body %s", lines).isEqualTo(200);
        assertThat(streamed.getResponseHeaders().getFirst("content-type")).startsWith("text/event-stream");
        assertThat(lines).as("the build's log, streamed to its end")
                .contains("[open-runtimes] Build command execution started.", "[open-runtimes] Build finished.");
        JsonNode built = JSON.readTree(answer);
        String path = built.path("path").asText();
        assertThat(path).as("the artifact's path; answer %s", built).startsWith("/storage/builds/app-p1/").endsWith(".gz");
        byte[] stored = S3.client().getObject(b -> b.bucket(S3MockProcess.BUCKET).key(path.substring(1)),
                AsyncResponseTransformer.toBytes()).join().asByteArray();
        assertThat((long) stored.length).as("the artifact in the bucket, as large as answered")
                .isEqualTo(built.path("size").asLong());
        Map<String, String> files = untar(stored);
        assertThat(files).as("the artifact: the function, what the install command made, the build's metadata")
                .containsKeys("./index.js", "./echo.js")
                .containsEntry("./built.txt", "built for fn1\n")
                .containsEntry("./private/note.txt", "the developer's own\n");
        assertThat(files.get("./.open-runtimes")).contains("OPEN_RUNTIMES_ENTRYPOINT=index.js");
        StringBuilder output = new StringBuilder();
        built.path("output").forEach(chunk -> output.append(chunk.path("content").asText()));
        assertThat(output.toString()).as("the build's output").contains("[open-runtimes] Build finished.");
        return path;
    }

    private void apiExecutionAnswersWithStatusHeadersBodyLogsAndErrors(String artifact) {
        Map<String, String> headers = new LinkedHashMap<>(apiHeaders());
        headers.put("content-type", "application/json");
        headers.put("x-echo-variables", "GREETING,APPWRITE_FUNCTION_ID,OPEN_RUNTIMES_ENTRYPOINT");
        AppwriteExecution result = execute(execution(artifact, "/echo?x=1&y=a=b", "POST", headers, true,
                AppwriteCalls.FORMAT_API, "{\"hello\":\"world\"}"));

        assertThat(result.statusCode()).as("the function's status").isEqualTo(200);
        assertThat(result.headers().path("x-echo").asText()).as("the function's header").isEqualTo("yes");
        assertThat(result.headers().path("content-type").asText()).isEqualTo("application/json; charset=utf-8");
        assertThat(fieldNames(result.headers())).as("no control header comes back")
                .noneMatch(name -> name.startsWith("x-open-runtimes-"));
        JsonNode seen = result.bodyJson();
        assertThat(seen.path("method").asText()).isEqualTo("POST");
        assertThat(seen.path("path").asText()).isEqualTo("/echo");
        assertThat(seen.path("query").path("y").asText()).as("the query string reached the function").isEqualTo("a=b");
        assertThat(seen.path("body").asText()).isEqualTo("{\"hello\":\"world\"}");
        assertThat(seen.path("headers").path("x-appwrite-trigger").asText()).isEqualTo("http");
        assertThat(fieldNames(seen.path("headers"))).as("the function never sees a control header")
                .noneMatch(name -> name.startsWith("x-open-runtimes-"));
        assertThat(seen.path("variables").path("GREETING").asText()).as("the execution's variables").isEqualTo("hello");
        assertThat(seen.path("variables").path("APPWRITE_FUNCTION_ID").asText()).isEqualTo("fn1");
        assertThat(seen.path("variables").path("OPEN_RUNTIMES_ENTRYPOINT").asText()).isEqualTo("index.js");
        assertThat(result.logs()).as("the function's log file").isEqualTo("echo POST /echo\n");
        assertThat(result.errors()).as("the function's error file").isEqualTo("echo error line\n");
        assertThat(result.duration()).as("duration").isPositive();
        assertThat(result.startTime()).as("start time, seconds since the epoch").isGreaterThan(1.7e9);
    }

    private void routerExecutionCarriesTheHostAndRepeatedCookies(String artifact) {
        Map<String, String> headers = routerHeaders();
        AppwriteExecution echo = execute(execution(artifact, "/echo", "GET", headers, true,
                AppwriteCalls.FORMAT_ROUTER, null));
        assertThat(echo.bodyJson().path("host").asText()).as("the host header reached the function")
                .isEqualTo("fn1.functions.example.test");
        assertThat(echo.bodyJson().path("url").asText()).as("the url the function builds from it")
                .isEqualTo("https://fn1.functions.example.test/echo");

        AppwriteExecution cookies = execute(execution(artifact, "/cookies", "GET", headers, true,
                AppwriteCalls.FORMAT_ROUTER, null));
        assertThat(cookies.headers().path("set-cookie").isArray()).as("0.11.0: repeated headers as an array").isTrue();
        assertThat(cookies.headers().path("set-cookie")).extracting(JsonNode::asText)
                .containsExactly("a=1; Path=/", "b=2; Path=/");
        AppwriteExecution collapsed = execute(execution(artifact, "/cookies", "GET", headers, true,
                AppwriteCalls.FORMAT_API, null));
        assertThat(collapsed.headers().path("set-cookie").asText()).as("0.10.0: the last value only")
                .isEqualTo("b=2; Path=/");
    }

    private void loggingZeroYieldsEmptyLogs(String artifact) {
        AppwriteExecution logged = execute(execution(artifact, "/logs", "POST", apiHeaders(), true,
                AppwriteCalls.FORMAT_API, null));
        assertThat(logged.statusCode()).isEqualTo(201);
        assertThat(logged.bodyText()).isEqualTo("logged");
        assertThat(logged.logs()).contains("first log line\n", "an object {\"a\":1}\n", "native log\n");
        assertThat(logged.errors()).isEqualTo("first error line\n");

        AppwriteExecution silent = execute(execution(artifact, "/logs", "POST", apiHeaders(), false,
                AppwriteCalls.FORMAT_API, null));
        assertThat(silent.statusCode()).as("the function still ran").isEqualTo(201);
        assertThat(silent.logs()).as("logging=0: no logs").isEmpty();
        assertThat(silent.errors()).as("logging=0: no errors").isEmpty();
    }

    private void binaryBodiesAndThrownErrorsComeBackIntact(String artifact) {
        AppwriteExecution binary = execute(execution(artifact, "/binary", "GET", apiHeaders(), true,
                AppwriteCalls.FORMAT_API, null));
        byte[] expected = new byte[256];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) i;
        }
        assertThat(binary.body()).as("every byte value, in order").isEqualTo(expected);

        AppwriteExecution thrown = execute(execution(artifact, "/throws", "GET", apiHeaders(), true,
                AppwriteCalls.FORMAT_API, null));
        assertThat(thrown.statusCode()).as("a failed execution for Appwrite (>= 500)").isEqualTo(500);
        assertThat(thrown.logs()).isEqualTo("before the throw\n");
        assertThat(thrown.errors()).contains("Error: thrown by the function");
    }

    private void nothingIsLeft(String runtimePod) {
        await("only the warm pod is left").atMost(WAIT).until(() -> pods().size() == 1
                && pods().stream().noneMatch(pod -> runtimePod.equals(podId(pod))));
        await("one Secret, the warm pod's").atMost(WAIT).until(() -> secrets() == 1);
        await("the pool back at size, nothing claimed").atMost(WAIT).until(() -> pools.all().stream()
                .allMatch(pool -> pool.metrics().warm() == pool.config().size() && pool.metrics().claimed() == 0));
        assertThat(leases.current(runtimePod).blockOptional(Duration.ofSeconds(5))).as("the runtime's lease").isEmpty();
    }

    private AppwriteCalls.Execution execution(String artifact, String path, String method, Map<String, String> headers,
                                              boolean logging, String format, String body) {
        return new AppwriteCalls.Execution("p1", "d1", artifact, "index.js", executionVariables(), path, method,
                headers, logging, format, body);
    }

    /** Sends an execution call and reads the answer as Appwrite does; the call itself must succeed (200). */
    private AppwriteExecution execute(AppwriteCalls.Execution execution) {
        EntityExchangeResult<byte[]> result = APPWRITE.execution(execution).exchange(client)
                .expectBody().returnResult();
        String type = result.getResponseHeaders().getFirst("content-type");
        byte[] body = result.getResponseBody() == null ? new byte[0] : result.getResponseBody();
        assertThat(result.getStatus().value()).as("status of %s %s; answer %s", execution.method(), execution.path(),
                new String(body, StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(type).as("Accept: multipart/form-data").startsWith("multipart/form-data; boundary=");
        return AppwriteExecution.read(type, body);
    }

    /** What the API and the workers put in an execution's headers. */
    private static Map<String, String> apiHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-appwrite-trigger", "http");
        headers.put("x-appwrite-user-id", "u1");
        headers.put("x-appwrite-user-jwt", "");
        headers.put("x-appwrite-country-code", "");
        headers.put("x-appwrite-continent-code", "");
        headers.put("x-appwrite-continent-eu", "false");
        return headers;
    }

    /** What the domain router adds: the public host and the client's own headers. */
    private static Map<String, String> routerHeaders() {
        Map<String, String> headers = new LinkedHashMap<>(apiHeaders());
        headers.put("host", "fn1.functions.example.test");
        headers.put("x-forwarded-proto", "https");
        headers.put("user-agent", "curl/8.5.0");
        headers.put("accept", "*/*");
        return headers;
    }

    private static Map<String, String> variables() {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("GREETING", "hello");
        variables.put("APPWRITE_FUNCTION_API_ENDPOINT", "https://cloud.example.test/v1");
        variables.put("APPWRITE_FUNCTION_ID", "fn1");
        variables.put("APPWRITE_FUNCTION_NAME", "Echo");
        variables.put("APPWRITE_FUNCTION_DEPLOYMENT", "d1");
        variables.put("APPWRITE_FUNCTION_PROJECT_ID", "p1");
        variables.put("APPWRITE_FUNCTION_RUNTIME_NAME", "Node.js");
        variables.put("APPWRITE_FUNCTION_RUNTIME_VERSION", "22");
        variables.put("APPWRITE_FUNCTION_CPUS", "1");
        variables.put("APPWRITE_FUNCTION_MEMORY", "512");
        return variables;
    }

    private static Map<String, String> executionVariables() {
        Map<String, String> variables = new LinkedHashMap<>(VARIABLES);
        variables.put("APPWRITE_FUNCTION_EXECUTION_ID", "e1");
        return variables;
    }

    /**
     * The deployment as Appwrite's CLI uploads it: the v5 fixtures of the test resources, packed with the developer's
     * uid and gid (1000, node-tar keeps them) and with one directory private to that user.
     */
    private static byte[] functionArchive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes));
             Stream<Path> files = Files.list(Path.of("src/test/resources/openruntimes/functions/v5"))) {
            for (Path file : files.sorted().toList()) {
                add(tar, file.getFileName().toString(), Files.readAllBytes(file), 0644);
            }
            add(tar, "private/", null, 0700);
            add(tar, "private/note.txt", "the developer's own\n".getBytes(StandardCharsets.UTF_8), 0600);
        }
        return bytes.toByteArray();
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setIds(1000, 1000);
        entry.setMode((content == null ? 040000 : 0100000) | mode);
        entry.setSize(content == null ? 0 : content.length);
        tar.putArchiveEntry(entry);
        if (content != null) {
            tar.write(content);
        }
        tar.closeArchiveEntry();
    }

    private static Map<String, String> untar(byte[] archive) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                new ByteArrayInputStream(archive)))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (entry.isFile()) {
                    files.put(entry.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return files;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private String runtimePod() {
        return (String) client.get().uri("/v1/runtimes/p1-d1").header("authorization", "Bearer " + SECRET).exchange()
                .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody().get("hostname");
    }

    private static String podId(V1Pod pod) {
        return pod.getMetadata().getLabels().get("hearth.dev/pod-id");
    }

    private static List<V1Pod> pods() {
        try {
            return HARNESS.core().listNamespacedPod(HARNESS.namespace()).execute().getItems().stream()
                    .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int secrets() {
        try {
            return HARNESS.core().listNamespacedSecret(HARNESS.namespace()).execute().getItems().size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The runner's init image and the clean-room v5 image (tagged as Appwrite names it), on the local bases. */
    private static String buildImages() {
        String runner = LocalImages.runnerImage(TestDistribution.current());
        OpenRuntimesImages.v5();
        return runner;
    }
}
