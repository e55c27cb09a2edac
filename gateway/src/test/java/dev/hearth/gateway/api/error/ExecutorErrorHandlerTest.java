package dev.hearth.gateway.api.error;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ExecutorErrorHandlerTest {

    private final ExecutorErrorHandler handler =
            new ExecutorErrorHandler(new ExecutorProperties("s3cret", "0.27.0", null, null));

    @Test
    void writesExecutorErrorBodyWithCacheHeaders() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/v1/runtimes/x"));

        StepVerifier.create(handler.handle(exchange, new ExecutorException(ErrorType.RUNTIME_NOT_FOUND))).verifyComplete();

        var response = exchange.getResponse();
        assertThat(response.getStatusCode()).as("status").isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(response.getHeaders().getFirst("Content-Type")).as("content type")
                .isEqualTo("application/json; charset=UTF-8");
        assertThat(response.getHeaders().getFirst("Cache-Control")).as("cache control")
                .isEqualTo("no-cache, no-store, must-revalidate");
        assertThat(response.getHeaders().getFirst("Expires")).as("expires").isEqualTo("0");
        assertThat(response.getHeaders().getFirst("Pragma")).as("pragma").isEqualTo("no-cache");
        assertThat(response.getHeaders().getFirst("Server")).as("server").isEqualTo("Executor");
        assertThat(response.getBodyAsString().block()).as("body")
                .isEqualTo("{\"type\":\"runtime_not_found\",\"message\":\"Runtime not found\",\"code\":404,\"version\":\"0.27.0\"}");
    }

    @Test
    void unknownErrorIsMaskedAndVersionDefaultsToUnknown() {
        ExecutorErrorHandler defaults = new ExecutorErrorHandler(new ExecutorProperties(null, null, null, null));
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/v1/runtimes"));

        StepVerifier.create(defaults.handle(exchange, new NullPointerException("boom"))).verifyComplete();

        assertThat(exchange.getResponse().getStatusCode()).as("status").isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
        assertThat(exchange.getResponse().getBodyAsString().block()).as("body")
                .isEqualTo("{\"type\":\"general_unknown\",\"message\":\"Internal server error.\",\"code\":500,\"version\":\"unknown\"}");
    }

    @Test
    void committedResponseIsNotWrittenAgain() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/v1/runtimes"));
        exchange.getResponse().setComplete().block();
        IllegalStateException failure = new IllegalStateException("mid-stream");

        StepVerifier.create(handler.handle(exchange, failure)).verifyErrorMatches(e -> e == failure);
    }

    @Test
    void dispatcherNotFoundIsDevelopmentModeNotFound() {
        // DispatcherHandler signals "no handler" as ResponseStatusException(404); a bare
        // RouterFunction binding answers 404 itself, so the exception is raised directly here.
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/nowhere"));

        StepVerifier.create(handler.handle(exchange, new ResponseStatusException(HttpStatus.NOT_FOUND))).verifyComplete();

        assertThat(exchange.getResponse().getStatusCode()).as("status").isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(exchange.getResponse().getBodyAsString().block()).as("body")
                .isEqualTo("{\"type\":\"general_unknown\",\"message\":\"Not Found\",\"code\":404,\"version\":\"0.27.0\"}");
    }

    @Test
    void handlerErrorIsTranslatedWithItsStatus() {
        WebTestClient client = WebTestClient
                .bindToRouterFunction(RouterFunctions.route()
                        .POST("/v1/runtimes", r -> Mono.error(new ExecutorException(ErrorType.RUNTIME_CONFLICT)))
                        .build())
                .handlerStrategies(HandlerStrategies.builder().exceptionHandler(handler).build())
                .build();

        client.post().uri("/v1/runtimes").exchange()
                .expectStatus().isEqualTo(409)
                .expectHeader().valueEquals("Server", "Executor")
                .expectBody().jsonPath("$.message").isEqualTo("Runtime already exists ");
    }

    @Test
    void propertiesToStringRedactsSecret() {
        assertThat(new ExecutorProperties("s3cret", null, null, null).toString()).as("toString")
                .doesNotContain("s3cret")
                .contains("version=unknown", "env=development");
    }
}
