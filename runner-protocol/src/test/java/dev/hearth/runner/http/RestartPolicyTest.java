package dev.hearth.runner.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RestartPolicyTest {

    @ParameterizedTest(name = "{0}, exit {1} -> restart {2}")
    @CsvSource({
            "no, 0, false", "no, 1, false",
            "always, 0, true", "always, 137, true",
            "unless-stopped, 0, true", "unless-stopped, 2, true",
            "on-failure, 0, false", "on-failure, 1, true",
            "'', 1, false", "unknown, 1, false"})
    void restartsAsDockersPolicyOfTheSameName(String name, int exitCode, boolean restarts) {
        RestartPolicy policy = RestartPolicy.of(name);

        assertThat(policy.restarts(exitCode)).isEqualTo(restarts);
        assertThat(policy.mayRestart()).as("may restart at all").isEqualTo(!policy.equals(RestartPolicy.NO));
    }

    @ParameterizedTest
    @CsvSource({"no", "always", "on-failure", "unless-stopped"})
    void namesItselfAsTheApiDoes(String name) {
        assertThat(RestartPolicy.of(name).wireName()).isEqualTo(name);
    }
}
