package dev.hearth.pool.runtime;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.hearth.runner.protocol.BuildEnd;
import dev.hearth.runner.protocol.BuildOutput;

/**
 * A build's output as the API answers it, and how it ended. The output keeps exactly the first
 * {@link #MAX_OUTPUT_BYTES} (Open Runtimes' {@code MAX_BUILD_LOG_SIZE}; the chunk that crosses it is cut there, never
 * inside a UTF-8 character); past it, one last chunk says so with upstream's exact words, and the rest is left out
 * (the live log stream has all of it). Upstream keeps at least as much: it stops after the chunk that reaches the
 * limit, and its e2e test asks for at least 1,000,000 bytes.
 *
 * @param output    the chunks, in order, as {@code {timestamp, content}}
 * @param end       how the build ended
 * @param truncated whether the output was cut, its last chunk being the {@link #TRUNCATED} note
 */
public record BuildOutcome(List<BuildOutput> output, BuildEnd end, boolean truncated) {

    public static final int MAX_OUTPUT_BYTES = 1_000_000;
    /** Upstream's words (they say 5 MB; the limit is 1 MB there as here). */
    public static final String TRUNCATED = "Logs truncated due to size exceeding 5.00MB.";

    public BuildOutcome {
        output = List.copyOf(output);
    }

    public boolean succeeded() {
        return end.succeeded();
    }

    /** The build's own output as kept: every chunk's text but the truncation note. */
    public String text() {
        StringBuilder text = new StringBuilder();
        int kept = truncated ? output.size() - 1 : output.size();
        output.subList(0, kept).forEach(chunk -> text.append(chunk.content()));
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
            byte[] content = record.content().getBytes(StandardCharsets.UTF_8);
            if (bytes + content.length > MAX_OUTPUT_BYTES) {
                truncated = true;
                String head = head(content, (int) (MAX_OUTPUT_BYTES - bytes));
                if (!head.isEmpty()) {
                    output.add(BuildOutput.chunk(record.timestamp(), head));
                }
                output.add(BuildOutput.chunk(record.timestamp(), TRUNCATED));
                return;
            }
            bytes += content.length;
            output.add(record);
        }

        /** The first {@code max} bytes of {@code content}, less a UTF-8 character they would split. */
        private static String head(byte[] content, int max) {
            int end = max;
            while (end > 0 && (content[end] & 0xC0) == 0x80) {
                end--;
            }
            return new String(content, 0, end, StandardCharsets.UTF_8);
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
            return new BuildOutcome(output, end, truncated);
        }
    }
}
