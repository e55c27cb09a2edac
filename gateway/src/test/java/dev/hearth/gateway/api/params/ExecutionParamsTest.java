package dev.hearth.gateway.api.params;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import dev.hearth.pool.runtime.RuntimeSpec;

class ExecutionParamsTest {

    private static ExecutionParams from(Object... keyValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put((String) keyValues[i], keyValues[i + 1]);
        }
        return ExecutionParams.from(new Params(values), "p1-d1");
    }

    @Test
    void defaultsFollowUpstream() {
        ExecutionParams params = from();

        assertThat(params.body()).as("body").isEmpty();
        assertThat(params.path()).as("path").isEqualTo("/");
        assertThat(params.method()).as("method").isEqualTo("GET");
        assertThat(params.headers()).as("headers").isEmpty();
        assertThat(params.timeout()).as("timeout").isEqualTo(15);
        assertThat(params.runtime().logging()).as("logging").isTrue();
        assertThat(params.runtime().version()).as("version").isEqualTo("v5");
        assertThat(params.canCreateRuntime()).as("on-the-fly").isFalse();
    }

    @Test
    void stringBodyIsUtf8AndZeroMeansNoBody() {
        assertThat(from("body", "héllo").body()).as("string body")
                .containsExactly("héllo".getBytes(StandardCharsets.UTF_8));
        assertThat(from("body", "0").body()).as("\"0\"").isEmpty();
        assertThat(from("body", "").body()).as("\"\"").isEmpty();
    }

    @Test
    void fileBodyBytesPassThrough() {
        byte[] binary = {0, (byte) 0xff, 1};

        assertThat(from("body", binary).body()).as("bytes").containsExactly(binary);
    }

    @Test
    void pathGetsLeadingSlash() {
        assertThat(from("path", "users?id=1").path()).as("relative").isEqualTo("/users?id=1");
        assertThat(from("path", "/users").path()).as("absolute").isEqualTo("/users");
    }

    @Test
    void methodIsStrict() {
        assertThat(from("method", "PATCH").method()).as("PATCH").isEqualTo("PATCH");
        assertThatThrownBy(() -> from("method", "get")).as("get").isInstanceOf(ExecutorException.class)
                .hasMessageContaining("`method`");
    }

    @Test
    void timeoutIsLoose() {
        assertThat(from("timeout", "30").timeout()).as("\"30\"").isEqualTo(30);
        assertThat(from("memory", "1024").runtime().memoryMb()).as("memory \"1024\"").isEqualTo(1024);
    }

    @Test
    void headersAcceptObjectsJsonStringsAndRepeats() {
        assertThat(from("headers", Map.of("x-a", "1")).headers()).as("object")
                .containsExactly(Map.entry("x-a", List.of("1")));
        assertThat(from("headers", "{\"x-a\":[\"1\",\"2\"],\"x-n\":5}").headers()).as("JSON string")
                .containsExactly(Map.entry("x-a", List.of("1", "2")), Map.entry("x-n", List.of("5")));
        assertThat(from("headers", "0").headers()).as("Appwrite's empty").isEmpty();
    }

    @Test
    void nonObjectHeadersAreExecutionBadRequest() {
        for (Object headers : List.of("[\"a\"]", "not json", 42)) {
            assertThatThrownBy(() -> from("headers", headers))
                    .as("headers %s", headers)
                    .isInstanceOfSatisfying(ExecutorException.class,
                            e -> assertThat(e.errorType()).as("type").isEqualTo(ErrorType.EXECUTION_BAD_REQUEST));
        }
    }

    @Test
    void loggingIsLooseBoolean() {
        assertThat(from("logging", "0").runtime().logging()).as("\"0\"").isFalse();
        assertThat(from("logging", "false").runtime().logging()).as("\"false\"").isFalse();
    }

    @Test
    void onTheFlyCreationCarriesTheRuntimeFields() {
        ExecutionParams params = from("image", "openruntimes/node:v5-22", "source", "/storage/code.tar.gz",
                "entrypoint", "index.js", "variables", "{\"A\":\"1\"}", "cpus", "2", "memory", "256",
                "version", "v5", "runtimeEntrypoint", "cp /tmp/code.tar.gz /mnt/code", "restartPolicy", "always");

        assertThat(params.canCreateRuntime()).as("can create").isTrue();
        RuntimeSpec create = params.runtime();
        assertThat(create.runtimeId()).as("runtimeId").isEqualTo("p1-d1");
        assertThat(create.image()).as("image").isEqualTo("openruntimes/node:v5-22");
        assertThat(create.source()).as("source").isEqualTo("/storage/code.tar.gz");
        assertThat(create.entrypoint()).as("entrypoint").isEqualTo("index.js");
        assertThat(create.variables()).as("variables").containsExactly(Map.entry("A", "1"));
        assertThat(create.cpus()).as("cpus").isEqualTo(2.0);
        assertThat(create.memoryMb()).as("memory").isEqualTo(256);
        assertThat(create.version()).as("version").isEqualTo("v5");
        assertThat(create.runtimeEntrypoint()).as("runtimeEntrypoint").isEqualTo("cp /tmp/code.tar.gz /mnt/code");
        assertThat(create.restartPolicy()).as("restartPolicy").isEqualTo("always");
        assertThat(create.logging()).as("logging").isTrue();
    }

    @Test
    void zeroImageMeansNoOnTheFlyCreation() {
        assertThat(from("image", "0", "source", "0").canCreateRuntime()).as("Appwrite's empties").isFalse();
    }

    @Test
    void routeRuntimeIdIsValidated() {
        assertThatThrownBy(() -> ExecutionParams.from(new Params(Map.of()), "x".repeat(65)))
                .as("65 chars").hasMessageStartingWith("Invalid `runtimeId` param:");
    }
}
