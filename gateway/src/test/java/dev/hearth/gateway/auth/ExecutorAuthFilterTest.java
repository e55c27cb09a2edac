package dev.hearth.gateway.auth;

import dev.hearth.gateway.api.error.ExecutorErrorHandler;
import dev.hearth.gateway.api.error.ExecutorProperties;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

class ExecutorAuthFilterTest {

    private static final String UNAUTHORIZED =
            "{\"type\":\"general_unauthorized\",\"message\":\"Missing executor key\",\"code\":401,\"version\":\"0.27.0\"}";

    private static final RouterFunction<ServerResponse> ROUTES = RouterFunctions.route()
            .GET("/v1/health", r -> ServerResponse.ok().bodyValue("OK"))
            .HEAD("/v1/health", r -> ServerResponse.ok().build())
            .POST("/v1/health", r -> ServerResponse.ok().bodyValue("posted"))
            .GET("/v1/runtimes", r -> ServerResponse.ok().bodyValue("[]"))
            .POST("/v1/runtimes/{id}/commands", r -> ServerResponse.ok().bodyValue("{}"))
            .GET("/actuator/health", r -> ServerResponse.ok().bodyValue("UP"))
            .build();

    private static WebTestClient client(String secret) {
        ExecutorProperties properties = new ExecutorProperties(secret, "0.27.0", null, null);
        return WebTestClient.bindToRouterFunction(ROUTES)
                .handlerStrategies(HandlerStrategies.builder()
                        .webFilter(new ExecutorAuthFilter(properties))
                        .exceptionHandler(new ExecutorErrorHandler(properties))
                        .build())
                .build();
    }

    @Test
    void missingKeyIs401WithExecutorBody() {
        client("s3cret").get().uri("/v1/runtimes").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueEquals("Server", "Executor")
                .expectBody().json(UNAUTHORIZED, true);
    }

    @Test
    void wrongKeyIs401() {
        client("s3cret").get().uri("/v1/runtimes").header("Authorization", "Bearer wrong").exchange()
                .expectStatus().isUnauthorized();
    }

    @Test
    void rightKeyPasses() {
        client("s3cret").get().uri("/v1/runtimes").header("Authorization", "Bearer s3cret").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).isEqualTo("[]");
    }

    @Test
    void schemeWordIsIgnored() {
        client("s3cret").get().uri("/v1/runtimes").header("Authorization", "Anything s3cret").exchange()
                .expectStatus().isOk();
    }

    @Test
    void keyWithoutSchemeIsRejected() {
        // Upstream takes element [1] of the split: a bare key has none.
        client("s3cret").get().uri("/v1/runtimes").header("Authorization", "s3cret").exchange()
                .expectStatus().isUnauthorized();
    }

    @Test
    void emptyConfiguredSecretRejectsEverything() {
        client("").get().uri("/v1/runtimes").header("Authorization", "Bearer ").exchange()
                .expectStatus().isUnauthorized();
        client(null).get().uri("/v1/runtimes").header("Authorization", "Bearer ").exchange()
                .expectStatus().isUnauthorized();
    }

    @Test
    void zeroConfiguredSecretRejectsEverything() {
        client("0").get().uri("/v1/runtimes").header("Authorization", "Bearer 0").exchange()
                .expectStatus().isUnauthorized();
    }

    @Test
    void healthIsExemptForGetAndHeadOnly() {
        client("s3cret").get().uri("/v1/health").exchange().expectStatus().isOk();
        client("s3cret").head().uri("/v1/health").exchange().expectStatus().isOk();
        client("s3cret").post().uri("/v1/health").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void commandsRouteIsGuardedUnlikeUpstream() {
        client("s3cret").post().uri("/v1/runtimes/r1/commands").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void actuatorIsNotGuarded() {
        client("s3cret").get().uri("/actuator/health").exchange().expectStatus().isOk();
    }

    @Test
    void matrixParametersDoNotEscapeTheCheck() {
        client("s3cret").get().uri(URI.create("/v1;x=1/runtimes")).exchange().expectStatus().isUnauthorized();
    }

    @Test
    void percentEncodingDoesNotEscapeTheCheck() {
        client("s3cret").get().uri(URI.create("/%761/runtimes")).exchange().expectStatus().isUnauthorized();
    }

    @Test
    void doubleSlashDoesNotEscapeTheCheck() {
        client("s3cret").get().uri(URI.create("http://localhost//v1/runtimes")).exchange().expectStatus().isUnauthorized();
    }
}
