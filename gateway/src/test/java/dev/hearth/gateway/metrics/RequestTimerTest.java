package dev.hearth.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.hearth.pool.runtime.RuntimeNotFoundException;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class RequestTimerTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RequestTimer timer = new RequestTimer(registry);

    @Test
    void tagsAnAnswerAsWebFluxsObservationDid() {
        timer.record("POST", "/v1/runtimes/{runtimeId}/executions", 200, null, 1_000_000);
        timer.record("POST", "/v1/runtimes/{runtimeId}/executions", 200, null, 3_000_000);

        Timer success = registry.find(RequestTimer.NAME).tags("method", "POST",
                "uri", "/v1/runtimes/{runtimeId}/executions", "status", "200", "outcome", "SUCCESS",
                "exception", "none", "error", "none").timer();
        assertThat(success).as("one timer per tag set").isNotNull();
        assertThat(success.count()).isEqualTo(2);
        assertThat(success.getId().getTags()).as("exactly WebFlux's six tags").hasSize(6);
    }

    @Test
    void namesTheAnsweredFailure() {
        timer.record("POST", "/v1/runtimes/{runtimeId}/executions", 404, new RuntimeNotFoundException("r"), 1);

        assertThat(registry.find(RequestTimer.NAME).tags("status", "404", "outcome", "CLIENT_ERROR",
                "exception", "RuntimeNotFoundException", "error", "RuntimeNotFoundException").timer()).isNotNull();
    }

    @Test
    void aRequestWhoseClientWentAwayHasNoStatus() {
        timer.record("POST", "/v1/runtimes/{runtimeId}/executions", RequestTimer.ABORTED, null, 1);

        assertThat(registry.find(RequestTimer.NAME).tags("status", "UNKNOWN", "outcome", "UNKNOWN",
                "exception", "none").timer()).isNotNull();
    }

    @Test
    void outcomesFollowTheStatusClass() {
        assertThat(RequestTimer.outcome(101)).isEqualTo("INFORMATIONAL");
        assertThat(RequestTimer.outcome(204)).isEqualTo("SUCCESS");
        assertThat(RequestTimer.outcome(302)).isEqualTo("REDIRECTION");
        assertThat(RequestTimer.outcome(413)).isEqualTo("CLIENT_ERROR");
        assertThat(RequestTimer.outcome(503)).isEqualTo("SERVER_ERROR");
        assertThat(RequestTimer.outcome(600)).isEqualTo("UNKNOWN");
    }
}
