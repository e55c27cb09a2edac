package dev.hearth.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImagePatternTest {

    @Test
    void aStarMatchesWithinTheTagOrAPartOfTheRepositoryButNeverCrossesASlash() {
        ImagePattern node = ImagePattern.of("openruntimes/node:*");
        assertThat(node.matches("openruntimes/node:v5-22")).isTrue();
        assertThat(node.matches("openruntimes/node:")).isTrue();
        assertThat(node.matches("openruntimes/python:v5-3.12")).isFalse();
        assertThat(node.matches("mirror/openruntimes/node:v5-22")).as("whole reference").isFalse();

        ImagePattern any = ImagePattern.of("openruntimes/*");
        assertThat(any.matches("openruntimes/python:v5-3.12")).isTrue();
        assertThat(any.matches("openruntimes/x/y:1")).as("* stops at /").isFalse();
    }

    @Test
    void aDoubleStarCrossesSlashesAndAQuestionMarkIsOneCharacter() {
        assertThat(ImagePattern.of("**").matches("registry.example.com:5000/team/app@sha256:ab")).isTrue();
        assertThat(ImagePattern.of("registry.example.com/**").matches("registry.example.com/a/b:1")).isTrue();
        assertThat(ImagePattern.of("openruntimes/node:v5-2?").matches("openruntimes/node:v5-22")).isTrue();
        assertThat(ImagePattern.of("openruntimes/node:v5-2?").matches("openruntimes/node:v5-222")).isFalse();
    }

    @Test
    void everyOtherCharacterIsLiteral() {
        assertThat(ImagePattern.of("a.b:1").matches("axb:1")).as("a dot is no regex").isFalse();
        assertThat(ImagePattern.of("a+(b):[1]").matches("a+(b):[1]")).isTrue();
        assertThat(ImagePattern.isPattern("openruntimes/node:v5-22")).isFalse();
        assertThat(ImagePattern.isPattern("openruntimes/node:*")).isTrue();
        assertThatThrownBy(() -> ImagePattern.of(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
