package dev.hearth.gateway.it;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

import dev.hearth.runner.testing.TarGz;

/** Bad input gets the Open Runtimes error shape and loses nothing (checked after each test). */
class ApiErrorsIT extends GatewayITSupport {

    @Test
    void missingSecretIs401() {
        client.mutate().defaultHeaders(h -> h.remove("Authorization")).build()
                .get().uri("/v1/runtimes").exchange()
                .expectStatus().isUnauthorized()
                .expectBody()
                .jsonPath("$.type").isEqualTo("general_unauthorized")
                .jsonPath("$.message").isEqualTo("Missing executor key")
                .jsonPath("$.code").isEqualTo(401)
                .jsonPath("$.version").exists();
    }

    @Test
    void wrongSecretIs401() {
        client.get().uri("/v1/runtimes").header("Authorization", "Bearer wrong").exchange()
                .expectStatus().isUnauthorized();
    }

    @Test
    void healthNeedsNoSecret() {
        client.mutate().defaultHeaders(h -> h.remove("Authorization")).build()
                .get().uri("/v1/health").exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("Server", "Executor")
                .expectBody(String.class).isEqualTo("OK");
        client.head().uri("/v1/health").exchange().expectStatus().isOk();
    }

    @Test
    void malformedJsonIs400() {
        client.post().uri("/v1/runtimes").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"runtimeId\":")
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo(400).jsonPath("$.message").value(
                        message -> org.assertj.core.api.Assertions.assertThat(message.toString()).contains("JSON"));
    }

    @Test
    void invalidParamsAre400() {
        post("/v1/runtimes", Map.of("image", "local/shell")).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.message").value(message ->
                        org.assertj.core.api.Assertions.assertThat(message.toString()).contains("runtimeId"));
        executeJson("x", Map.of("timeout", "soon")).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.message").value(message ->
                        org.assertj.core.api.Assertions.assertThat(message.toString()).contains("timeout"));
        executeJson("x", Map.of("method", "BREW")).expectStatus().isBadRequest();
    }

    @Test
    void unknownRouteIs404() {
        client.get().uri("/v1/nothing-here").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("general_unknown");
    }

    @Test
    void unknownImageIs400() {
        createRuntime("img-1", "no/such-image", "", "").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.message").value(message ->
                        org.assertj.core.api.Assertions.assertThat(message.toString()).contains("no/such-image"));
    }

    @Test
    void anOpenRuntimesImageWithNoPoolOnTheLocalDriverSaysWhichDriverRunsIt() {
        post("/v1/runtimes", Map.of("runtimeId", "opr-1", "image", "openruntimes/node:v5-22", "version", "v5"))
                .expectStatus().isBadRequest().expectBody()
                .jsonPath("$.type").isEqualTo("runtime_failed")
                .jsonPath("$.code").isEqualTo(400)
                .jsonPath("$.message").value(message -> org.assertj.core.api.Assertions.assertThat(message.toString())
                        .contains("openruntimes/node:v5-22").contains("use the Docker or Kubernetes driver"));
        post("/v1/runtimes", Map.of("runtimeId", "opr-2", "image", "other/image:1", "version", "v4"))
                .expectStatus().isBadRequest().expectBody()
                .jsonPath("$.message").value(message -> org.assertj.core.api.Assertions.assertThat(message.toString())
                        .contains("Configured images: ").doesNotContain("Docker or Kubernetes"));
    }

    @Test
    void sourceOutsideTheStorageRootIs400() {
        createRuntime("out-1", "local/shell", "../../etc/passwd", "main.sh").expectStatus().isBadRequest();
        createRuntime("out-2", "local/shell", "/storage/../../etc/passwd", "main.sh").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("execution_bad_request");
        executeJson("out-3", Map.of("image", "local/shell", "source", "../outside.tar.gz")).expectStatus().isBadRequest();
    }

    /** Upstream answers a source it cannot copy with its generic 500 (EX Docker.php createRuntime). */
    @Test
    void aMissingSourceIs500GeneralUnknownNamingThePath() {
        // An absolute path names a file under the storage root, not the host's /etc/passwd.
        createRuntime("miss-1", "local/shell", "/etc/passwd", "main.sh").expectStatus().isEqualTo(500)
                .expectBody()
                .jsonPath("$.type").isEqualTo("general_unknown")
                .jsonPath("$.code").isEqualTo(500)
                .jsonPath("$.message").value(message ->
                        org.assertj.core.api.Assertions.assertThat(message.toString()).contains("/etc/passwd")
                                .contains("local directory"));
        client.get().uri("/v1/runtimes/miss-1").exchange().expectStatus().isNotFound();
    }

    /**
     * On the fly, upstream retries its own creation (a 500 each time) until the execution's budget is spent, then
     * answers {@code 400 runtime_timeout}; Hearth answers that at once, naming the path, and holds nothing.
     */
    @Test
    void aMissingSourceOnTheFlyIs400RuntimeTimeoutAtOnce() {
        long started = System.nanoTime();
        executeJson("miss-2", Map.of("image", "local/shell", "source", "/storage/functions/none/code.tar.gz",
                "entrypoint", "main.sh", "timeout", 30))
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.type").isEqualTo("runtime_timeout")
                .jsonPath("$.code").isEqualTo(400)
                .jsonPath("$.message").value(message -> org.assertj.core.api.Assertions.assertThat(message.toString())
                        .startsWith("Timed out waiting for runtime.").contains("/storage/functions/none/code.tar.gz"));
        org.assertj.core.api.Assertions.assertThat((System.nanoTime() - started) / 1_000_000)
                .as("ms to answer: not the 30 s budget").isLessThan(10_000);
        client.get().uri("/v1/runtimes/miss-2").exchange().expectStatus().isNotFound();
    }

    @Test
    void tarballWithDotDotEntryIsRejected() {
        String source = store("dotdot.tar.gz", TarGz.builder().file("../evil.sh", "echo pwned"));
        createRuntime("dd-1", "local/shell", source, "main.sh").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("runtime_failed");
        client.get().uri("/v1/runtimes/dd-1").exchange().expectStatus().isNotFound();
    }

    @Test
    void tarballWithEscapingSymlinkIsRejected() {
        String source = store("link.tar.gz", TarGz.builder().symlink("data", "/etc").file("main.sh", "true"));
        createRuntime("ln-1", "local/shell", source, "main.sh").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("runtime_failed");
    }

    @Test
    void secondCreateOfOneIdIs409() {
        String source = store("true.tar.gz", TarGz.builder().file("main.sh", "true"));
        createRuntime("dup-1", "local/shell", source, "main.sh").expectStatus().isCreated();
        createRuntime("dup-1", "local/shell", source, "main.sh").expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("runtime_conflict");
    }

    @Test
    void buildRequestsAreRefusedClearly() {
        post("/v1/runtimes", Map.of("runtimeId", "b-1", "image", "local/shell", "command", "make"))
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("build_failed");
    }

    @Test
    void prometheusExposesPoolGauges() {
        String metrics = client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        org.assertj.core.api.Assertions.assertThat(metrics)
                .contains("hearth_pool_pods{image=\"local/shell\",state=\"warm\"} 2.0")
                .contains("hearth_pool_target{image=\"test/small\"} 2.0")
                .contains("hearth_pool_pending{image=\"local/python\"} 0.0");
    }
}
