package dev.hearth.gateway.api.params;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CreateRuntimeParamsTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("runtimeId", "p1-d1");
        values.put("image", "openruntimes/node:v5-22");
        return values;
    }

    @Test
    void defaultsFollowUpstream() {
        CreateRuntimeParams params = CreateRuntimeParams.from(new Params(minimal()));

        assertThat(params.timeout()).as("timeout").isEqualTo(600);
        assertThat(params.runtime().memoryMb()).as("memory").isEqualTo(512);
        assertThat(params.runtime().cpus()).as("cpus").isEqualTo(1.0);
        assertThat(params.runtime().version()).as("version").isEqualTo("v5");
        assertThat(params.runtime().restartPolicy()).as("restartPolicy").isEqualTo("no");
        assertThat(params.remove()).as("remove").isFalse();
        assertThat(params.runtime().source()).as("source").isEmpty();
        assertThat(params.runtime().variables()).as("variables").isEmpty();
        assertThat(params.buildCacheEnabled()).as("cache").isFalse();
    }

    @Test
    void missingRuntimeIdIsReportedFirst() {
        assertThatThrownBy(() -> CreateRuntimeParams.from(new Params(Map.of())))
                .as("nothing sent").hasMessage("Param \"runtimeId\" is not optional.");
        assertThatThrownBy(() -> CreateRuntimeParams.from(new Params(Map.of("runtimeId", "x"))))
                .as("no image").hasMessage("Param \"image\" is not optional.");
    }

    @Test
    void variablesAreStrvald() {
        Map<String, Object> values = minimal();
        values.put("variables", Map.of("INT", 5, "TRUE", true, "FALSE", false, "FLOAT", 1.0, "TEXT", "t"));

        CreateRuntimeParams params = CreateRuntimeParams.from(new Params(values));

        assertThat(params.runtime().variables()).as("variables").containsOnly(
                Map.entry("INT", "5"), Map.entry("TRUE", "1"), Map.entry("FALSE", ""),
                Map.entry("FLOAT", "1"), Map.entry("TEXT", "t"));
    }

    @Test
    void strictTimeoutRejectsNumericString() {
        Map<String, Object> values = minimal();
        values.put("timeout", "5");

        assertThatThrownBy(() -> CreateRuntimeParams.from(new Params(values)))
                .as("timeout \"5\"").hasMessage("Invalid `timeout` param: Value must be a valid integer");
    }

    @Test
    void cacheKeyOutsidePatternIsExecutionBadRequest() {
        Map<String, Object> values = minimal();
        values.put("cacheKey", "-starts-with-dash");

        assertThatThrownBy(() -> CreateRuntimeParams.from(new Params(values)))
                .as("bad pattern")
                .isInstanceOfSatisfying(ExecutorException.class,
                        e -> assertThat(e.errorType()).as("type").isEqualTo(ErrorType.EXECUTION_BAD_REQUEST));
    }

    @Test
    void cacheKeyWithDotDotIsPlain400() {
        Map<String, Object> values = minimal();
        values.put("cacheKey", "a..b");

        assertThatThrownBy(() -> CreateRuntimeParams.from(new Params(values)))
                .as("dot dot")
                .isInstanceOfSatisfying(ExecutorException.class, e -> {
                    assertThat(e.errorType()).as("type").isEqualTo(ErrorType.GENERAL_UNKNOWN);
                    assertThat(e.code()).as("code").isEqualTo(400);
                });
    }

    @Test
    void cacheEnabledNeedsKeyAndCommand() {
        Map<String, Object> values = minimal();
        values.put("cacheKey", "node-22.lock");
        values.put("command", "npm ci");

        assertThat(CreateRuntimeParams.from(new Params(values)).buildCacheEnabled()).as("cache").isTrue();
    }

    @Test
    void restartPolicyIsStrict() {
        Map<String, Object> values = minimal();
        values.put("restartPolicy", "Always");

        assertThatThrownBy(() -> CreateRuntimeParams.from(new Params(values))).as("Always")
                .hasMessageStartingWith("Invalid `restartPolicy` param: Value must be one of (");
    }

    @Test
    void toStringHidesVariableValues() {
        Map<String, Object> values = minimal();
        values.put("variables", Map.of("API_KEY", "hunter2"));

        assertThat(CreateRuntimeParams.from(new Params(values)).toString()).as("toString")
                .contains("API_KEY").doesNotContain("hunter2");
    }

    @Test
    void aVersionTheExecutorIsNotConfiguredForIsRefused() {
        Map<String, Object> v2 = minimal();
        v2.put("version", "v2");

        assertThat(CreateRuntimeParams.from(new Params(v2)).runtime().version()).isEqualTo("v2");
        assertThatThrownBy(() -> CreateRuntimeParams.from(new Params(v2), java.util.List.of("v5")))
                .isInstanceOfSatisfying(ExecutorException.class,
                        e -> assertThat(e.getMessage()).contains("version").contains("v5"));
    }
}
