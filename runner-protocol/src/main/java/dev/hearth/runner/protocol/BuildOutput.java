package dev.hearth.runner.protocol;

/**
 * One record of a build's log, as {@code POST /v1/build} and {@code GET /v1/build/log} stream them (one JSON object
 * a line): a chunk of output, or — last — the end.
 *
 * @param timestamp when the chunk was read (ISO-8601, UTC); for the end, when the command ended
 * @param content   the output chunk (stdout and stderr as they come, never split inside a UTF-8 character); empty
 *                  for the end
 * @param end       set on the last record only
 */
public record BuildOutput(String timestamp, String content, BuildEnd end) {

    public static BuildOutput chunk(String timestamp, String content) {
        return new BuildOutput(timestamp, content, null);
    }

    public static BuildOutput last(String timestamp, BuildEnd end) {
        return new BuildOutput(timestamp, "", end);
    }

    /** Whether this record ends the log (not named isEnd: that would read as a JSON property). */
    public boolean ends() {
        return end != null;
    }
}
