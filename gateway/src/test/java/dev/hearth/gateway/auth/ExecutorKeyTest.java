package dev.hearth.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorProperties;

class ExecutorKeyTest {

    private static ExecutorKey keyOf(String secret) {
        return new ExecutorKey(new ExecutorProperties(secret, "v", "development", List.of("v5")));
    }

    @Test
    void admitsTheSecondTokenWhateverTheScheme() {
        ExecutorKey key = keyOf("s3cret");
        assertThat(key.admits("Bearer s3cret")).as("Bearer").isTrue();
        assertThat(key.admits("Anything s3cret")).as("the scheme word is not checked, as upstream").isTrue();
        assertThat(key.admits("Bearer s3cre")).as("a prefix").isFalse();
        assertThat(key.admits("s3cret")).as("one token").isFalse();
        assertThat(key.admits(null)).as("no header").isFalse();
    }

    @Test
    void failsClosedWithoutAUsableSecret() {
        assertThat(keyOf("").admits("Bearer ")).as("empty secret").isFalse();
        assertThat(keyOf("0").admits("Bearer 0")).as("\"0\" secret").isFalse();
    }

    @Test
    void rejectsAs401() {
        assertThat(ExecutorKey.rejection().errorType()).isEqualTo(ErrorType.GENERAL_UNAUTHORIZED);
        assertThat(ExecutorKey.rejection().getMessage()).isEqualTo("Missing executor key");
    }
}
