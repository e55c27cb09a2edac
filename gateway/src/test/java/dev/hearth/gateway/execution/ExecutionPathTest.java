package dev.hearth.gateway.execution;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ExecutionPathTest {

    @ParameterizedTest
    @ValueSource(strings = {"/v1/runtimes/r1/executions", "/v1;x/runtimes/r1/executions",
            "/%761/runtimes/r1/executions", "/v1/runtimes/r1/%65xecutions", "/v1/runtimes;a=b/r%31/executions",
            "/v1/runtimes/r1;k=v/executions", "/v1/runtimes/r1/executions?x=1", "http://host:1/v1/runtimes/r1/executions"})
    void matchesEverySpellingWebFluxsRouterMatched(String target) {
        ExecutionPath.Match match = ExecutionPath.match(target);
        assertThat(match).as(target).isNotNull();
        assertThat(match.pattern()).isEqualTo("/v1/runtimes/{runtimeId}/executions");
        assertThat(match.runtimeId()).as("decoded, without matrix parameters").isEqualTo("r1");
    }

    @Test
    void theAliasIsItsOwnPattern() {
        assertThat(ExecutionPath.match("/v1/runtimes/r1/execution").pattern())
                .isEqualTo("/v1/runtimes/{runtimeId}/execution");
    }

    @Test
    void keepsTheQueryAsSent() {
        assertThat(ExecutionPath.match("/v1/runtimes/r1/executions?a=%20b").rawQuery()).isEqualTo("a=%20b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/runtimes/r1/executions/", "//v1/runtimes/r1/executions", "/v1/runtimes//executions",
            "/v2/runtimes/r1/executions", "/v1/runtimes/r1/commands", "/v1/runtimes/r1/executions/x",
            "/v1/runtimes/r 1/executions", "/v1/runtimes/r1/executions%", "/actuator/health", "/v1/runtimes"})
    void leavesEverythingElseToWebFlux(String target) {
        assertThat(ExecutionPath.match(target)).as(target).isNull();
    }
}
