package dev.hearth.pool.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.hearth.runner.protocol.BuildEnd;
import dev.hearth.runner.protocol.BuildOutput;

/** The output cap: exactly the first 1,000,000 bytes, then upstream's note (§3.2, e2e testBuildLogLimit). */
class BuildOutcomeTest {

    private static final String T = "2026-12-07T00:00:00.000+00:00";

    @Test
    void theChunkCrossingTheLimitIsCutAtExactlyTheLimitAndTheNoteFollows() {
        BuildOutcome outcome = collect(List.of("a".repeat(600_000), "b".repeat(600_000), "never kept"));

        assertThat(outcome.truncated()).isTrue();
        assertThat(outcome.text()).as("the first 1,000,000 bytes, without the note").hasSize(1_000_000)
                .startsWith("a").endsWith("b").doesNotContain("never");
        List<BuildOutput> output = outcome.output();
        assertThat(output.get(output.size() - 1).content()).isEqualTo(BuildOutcome.TRUNCATED);
        assertThat(output).hasSize(3);
    }

    @Test
    void aCutNeverSplitsAUtf8Character() {
        // 999,999 bytes, then a 2-byte character that does not fit whole.
        BuildOutcome outcome = collect(List.of("a".repeat(999_999) + "é" + "tail"));

        assertThat(outcome.text().getBytes(StandardCharsets.UTF_8)).hasSize(999_999);
        assertThat(outcome.text()).doesNotContain("\uFFFD");
    }

    @Test
    void outputUpToTheLimitIsKeptWhole() {
        BuildOutcome outcome = collect(List.of("x".repeat(500_000), "y".repeat(500_000)));

        assertThat(outcome.truncated()).isFalse();
        assertThat(outcome.text()).hasSize(1_000_000);
        assertThat(outcome.output()).hasSize(2);
    }

    private static BuildOutcome collect(List<String> chunks) {
        BuildOutcome.Collector collector = new BuildOutcome.Collector();
        chunks.forEach(chunk -> collector.accept(BuildOutput.chunk(T, chunk)));
        collector.accept(BuildOutput.last(T, new BuildEnd(0, false, 1.0, false)));
        return collector.outcome();
    }
}
