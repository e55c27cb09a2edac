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
