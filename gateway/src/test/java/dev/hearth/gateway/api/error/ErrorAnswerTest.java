package dev.hearth.gateway.api.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.hearth.pool.runtime.RuntimeNotFoundException;

/** The translation any server writes: what the Reactor Netty route answers is what WebFlux's handler answers. */
class ErrorAnswerTest {

    private final ExecutorErrorHandler handler =
            new ExecutorErrorHandler(new ExecutorProperties("s3cret", "0.27.0", null, null));

    @Test
    void answersTheExecutorsErrorBodyWithItsStatus() {
        ErrorAnswer answer = handler.answer(new RuntimeNotFoundException("Runtime not found"), "POST", "/v1/x");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"type\":\"runtime_not_found\",\"message\":\"Runtime not found\",\"code\":404,\"version\":\"0.27.0\"}");
    }

    @Test
    void carriesTheFixedHeadersInOrder() {
        Map<String, String> headers = new LinkedHashMap<>();
        handler.answer(new IllegalStateException("bug"), "POST", "/v1/x").headers(headers::put);

        assertThat(headers).containsExactly(
                Map.entry("Content-Type", "application/json; charset=UTF-8"),
                Map.entry("Cache-Control", "no-cache, no-store, must-revalidate"),
                Map.entry("Expires", "0"),
                Map.entry("Pragma", "no-cache"),
                Map.entry("Server", "Executor"));
    }

    @Test
    void anUnknownFailureShowsOnlyTheGenericText() {
        ErrorAnswer answer = handler.answer(new IllegalStateException("secret detail"), "POST", "/v1/x");

        assertThat(answer.status()).isEqualTo(500);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).doesNotContain("secret detail");
    }
}
