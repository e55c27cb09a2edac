package dev.hearth.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.hearth.pool.runtime.BuildOutcome;
import dev.hearth.runner.protocol.BuildEnd;
import dev.hearth.runner.protocol.BuildOutput;

/** A v2 build's output in one chunk, as upstream answers it (§1.4). */
class BuildsTest {

    private static final BuildEnd SUCCEEDED = new BuildEnd(0, false, 10, false);

    @Test
    void aV2BuildsOutputIsOneChunkOfEverythingItPrinted() {
        BuildOutcome outcome = new BuildOutcome(List.of(
                BuildOutput.chunk("2026-12-07T04:00:00Z", "Installing.\n"),
                BuildOutput.chunk("2026-12-07T04:00:01Z", "Build finished.\n")), SUCCEEDED, false);

        Instant before = Instant.now();
        BuildOutput output = Builds.v2Output(outcome);

        assertThat(output.content()).isEqualTo("Installing.\nBuild finished.\n");
        assertThat(Instant.parse(output.timestamp())).as("stamped when answered").isAfterOrEqualTo(before);
    }

    @Test
    void aV2BuildThatPrintedNothingSaysSoInUpstreamsWords() {
        BuildOutput output = Builds.v2Output(new BuildOutcome(List.of(), SUCCEEDED, false));

        assertThat(output.content()).isEqualTo("Runtime created successfully!");
    }

    @Test
    void aCutV2OutputLeavesTheNoteOut() {
        BuildOutcome outcome = new BuildOutcome(List.of(BuildOutput.chunk("2026-12-07T04:00:00Z", "x".repeat(10)),
                BuildOutput.chunk("2026-12-07T04:00:00Z", BuildOutcome.TRUNCATED)), SUCCEEDED, true);

        assertThat(Builds.v2Output(outcome).content()).isEqualTo("x".repeat(10));
    }
}
