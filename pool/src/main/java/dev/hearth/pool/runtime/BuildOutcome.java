package dev.hearth.pool.runtime;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.hearth.runner.protocol.BuildEnd;
import dev.hearth.runner.protocol.BuildOutput;

/**
 * A build's output as the API answers it, and how it ended. The output keeps the first
 * {@link #MAX_OUTPUT_BYTES} (Open Runtimes' {@code MAX_BUILD_LOG_SIZE}); past it, one last chunk says so with
 * upstream's exact words, and the rest is left out (the live log stream has all of it).
 *
 * @param output the chunks, in order, as {@code {timestamp, content}}
 * @param end    how the build ended
 */
public record BuildOutcome(List<BuildOutput> output, BuildEnd end) {

    public static final int MAX_OUTPUT_BYTES = 1_000_000;
    /** Upstream's words (they say 5 MB; the limit is 1 MB there as here). */
    public static final String TRUNCATED = "Logs truncated due to size exceeding 5.00MB.";

    public BuildOutcome {
        output = List.copyOf(output);
    }

    public boolean succeeded() {
        return end.succeeded();
    }

    /** All of the output's text. */
    public String text() {
        StringBuilder text = new StringBuilder();
        output.forEach(chunk -> text.append(chunk.content()));
        return text.toString();
    }

    /** Collects a build's records into its outcome, capping the output. Not thread-safe: one stream's records. */
    static final class Collector {

        private final List<BuildOutput> output = new ArrayList<>();
        private long bytes;
        private boolean truncated;
        private BuildEnd end;

        void accept(BuildOutput record) {
            if (record.ends()) {
                end = record.end();
                return;
            }
            if (truncated) {
                return;
            }
            bytes += record.content().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_OUTPUT_BYTES) {
                truncated = true;
                output.add(BuildOutput.chunk(record.timestamp(), TRUNCATED));
                return;
            }
            output.add(record);
        }

        /** Adds a chunk of the gateway's own (e.g. the exit-code line upstream's build wrapper prints). */
        void note(String timestamp, String content) {
            if (!truncated) {
                output.add(BuildOutput.chunk(timestamp, content));
            }
        }

        BuildOutcome outcome() {
            if (end == null) {
                throw new IllegalStateException("the build's log ended without its end record");
            }
            return new BuildOutcome(output, end);
        }
    }
}
