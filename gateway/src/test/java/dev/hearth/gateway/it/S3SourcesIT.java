package dev.hearth.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.hearth.gateway.storage.S3MockProcess;
import dev.hearth.gateway.storage.S3Storage;
import dev.hearth.gateway.storage.Storage;
import dev.hearth.runner.testing.TarGz;
import software.amazon.awssdk.core.async.AsyncRequestBody;

/**
 * The gateway configured as Appwrite configures the executor, with an S3 DSN in
 * {@code OPR_EXECUTOR_CONNECTION_STORAGE}: sources come from the bucket, and the bucket's failures reach the caller
 * as the executor's errors, leaving no lease, pod or process behind (checked after each test).
 */
class S3SourcesIT extends GatewayITSupport {

    @RegisterExtension
    static final S3MockProcess S3 = new S3MockProcess();

    @Autowired
    Storage storage;

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) {
        registry.add("hearth.storage.dsn", () -> "s3://test-key:test-secret@" + S3.endpoint().getAuthority() + "/"
                + S3MockProcess.BUCKET + "?region=us-east-1&insecure=true");
    }

    @Override
    boolean isFixture(ProcessHandle process) {
        return S3.runs(process);
    }

    @Test
    void theDsnChoosesTheBucket() {
        assertThat(storage).isInstanceOf(S3Storage.class);
        assertThat(storage.describe()).isEqualTo("s3://" + S3MockProcess.BUCKET + "/ at " + S3.endpoint());
    }

    @Test
    void aRuntimeLoadsItsSourceFromTheBucketAndExecutes() {
        putObject("storage/functions/s3-fn/code.tar.gz", TarGz.builder().file("main.sh", "echo from-s3").build());

        createRuntime("s3-1", "local/shell", "/storage/functions/s3-fn/code.tar.gz", "main.sh")
                .expectStatus().isCreated();

        executeJson("s3-1", Map.of()).expectStatus().isOk()
                .expectBody().jsonPath("$.body").value(body -> assertThat(body.toString()).contains("from-s3"));
    }

    @Test
    void aBuildStoresItsArtifactInTheBucketAndARuntimeRunsFromIt() {
        putObject("storage/functions/s3-app/d1.gz", TarGz.builder().file("build.sh", "echo echo built-in-s3 > main.sh")
                .build());
        Map<String, Object> build = new java.util.LinkedHashMap<>();
        build.put("runtimeId", "s3-build");
        build.put("source", "/storage/functions/s3-app/d1.gz");
        build.put("destination", "/storage/builds/s3-app");
        build.put("image", "local/shell");
        build.put("entrypoint", "main.sh");
        build.put("remove", true);
        build.put("command", "tar -zxf /tmp/code.tar.gz -C /mnt/code && cd /mnt/code && sh build.sh"
                + " && tar -czf \"$TMPDIR/a.tar.gz\" . && mv \"$TMPDIR/a.tar.gz\" /mnt/code/code.tar.gz");
        Map<?, ?> built = post("/v1/runtimes", build).expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();

        String path = (String) built.get("path");
        assertThat(path).startsWith("/storage/builds/s3-app/").endsWith(".gz");
        long stored = S3.client().headObject(b -> b.bucket(S3MockProcess.BUCKET).key(path.substring(1))).join()
                .contentLength();
        assertThat(((Number) built.get("size")).longValue()).isEqualTo(stored).isPositive();

        createRuntime("s3-built", "local/shell", path, "main.sh").expectStatus().isCreated();
        executeJson("s3-built", Map.of()).expectStatus().isOk()
                .expectBody().jsonPath("$.body").isEqualTo("built-in-s3\n");
    }

    @Test
    void anHttpFunctionBuiltIntoTheBucketServesWhatItsBuildGenerated() {
        String server = "const fs = require('fs'); const http = require('http');"
                + " const made = fs.readFileSync(__dirname + '/generated.txt', 'utf8').trim();"
                + " http.createServer((req, res) => res.end('served ' + made)).listen(Number(process.env.PORT), '127.0.0.1');";
        putObject("storage/functions/s3-node/d1.gz", TarGz.builder().file("index.js", server)
                .file("build.sh", "echo generated-by-build > generated.txt").build());
        Map<String, Object> build = buildRequest("s3-node-build", "/storage/functions/s3-node/d1.gz", "local/node",
                "index.js");

        Map<?, ?> built = post("/v1/runtimes", build).expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();

        createRuntime("s3-node", "local/node", (String) built.get("path"), "index.js").expectStatus().isCreated();
        executeJson("s3-node", Map.of()).expectStatus().isOk()
                .expectBody().jsonPath("$.body").isEqualTo("served generated-by-build");
    }

    @Test
    void theBucketFailingAsTheArtifactIsStoredIs503AndLeavesNothing() throws Exception {
        java.nio.file.Path go = java.nio.file.Files.createTempFile("s3-go", "");
        java.nio.file.Files.delete(go);
        putObject("storage/functions/s3-late/d1.gz", TarGz.builder()
                .file("build.sh", "while [ ! -e '" + go + "' ]; do sleep 0.05; done; echo echo late > main.sh").build());
        var building = org.springframework.web.reactive.function.client.WebClient.create("http://127.0.0.1:" + port)
                .post().uri("/v1/runtimes").header("Authorization", "Bearer " + SECRET)
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .bodyValue(buildRequest("s3-late-build", "/storage/functions/s3-late/d1.gz", "local/shell", "main.sh"))
                .exchangeToMono(response -> response.toEntity(String.class)).toFuture();
        org.awaitility.Awaitility.await("the build runs").atMost(WAIT).until(() -> runtimes.get("s3-late-build")
                .blockOptional().filter(record -> !record.podId().isEmpty()).isPresent());

        S3.stop();
        try {
            java.nio.file.Files.createFile(go);
            var answer = building.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(answer.getStatusCode().value()).isEqualTo(503);
            assertThat(answer.getBody()).contains("storage_unavailable").contains(storage.describe());
        } finally {
            S3.start();
        }
        assertThat(S3.client().listObjectsV2(b -> b.bucket(S3MockProcess.BUCKET).prefix("storage/builds/s3-late/"))
                .join().contents()).as("no partial object").isEmpty();
        assertThat(S3.client().listMultipartUploads(b -> b.bucket(S3MockProcess.BUCKET)).join().uploads())
                .as("no pending multipart upload").isEmpty();
        org.awaitility.Awaitility.await("the build runtime is removed").atMost(WAIT)
                .until(() -> runtimes.get("s3-late-build").blockOptional().isEmpty());
    }

    private static Map<String, Object> buildRequest(String id, String source, String image, String entrypoint) {
        Map<String, Object> build = new java.util.LinkedHashMap<>();
        build.put("runtimeId", id);
        build.put("source", source);
        build.put("destination", "/storage/builds/" + source.split("/")[3]);
        build.put("image", image);
        build.put("entrypoint", entrypoint);
        build.put("remove", true);
        build.put("command", "tar -zxf /tmp/code.tar.gz -C /mnt/code && cd /mnt/code && sh build.sh"
                + " && tar -czf \"$TMPDIR/a.tar.gz\" . && mv \"$TMPDIR/a.tar.gz\" /mnt/code/code.tar.gz");
        return build;
    }

    @Test
    void aSourceMissingFromTheBucketIs500GeneralUnknownNamingIt() {
        createRuntime("s3-miss", "local/shell", "/storage/functions/nothing/code.tar.gz", "main.sh")
                .expectStatus().isEqualTo(500)
                .expectBody()
                .jsonPath("$.type").isEqualTo("general_unknown")
                .jsonPath("$.message").value(message -> assertThat(message.toString())
                        .contains("/storage/functions/nothing/code.tar.gz").contains("s3://" + S3MockProcess.BUCKET));
    }

    @Test
    void aBucketThatDoesNotAnswerIs503StorageUnavailableNamingIt() {
        S3.stop();
        try {
            createRuntime("s3-down", "local/shell", "/storage/functions/any/code.tar.gz", "main.sh")
                    .expectStatus().isEqualTo(503)
                    .expectBody()
                    .jsonPath("$.type").isEqualTo("storage_unavailable")
                    .jsonPath("$.code").isEqualTo(503)
                    .jsonPath("$.message").value(message -> assertThat(message.toString())
                            .contains(storage.describe()).doesNotContain("test-secret"));
        } finally {
            S3.start();
        }
    }

    private static void putObject(String key, byte[] bytes) {
        S3.client().putObject(b -> b.bucket(S3MockProcess.BUCKET).key(key), AsyncRequestBody.fromBytes(bytes)).join();
    }
}
