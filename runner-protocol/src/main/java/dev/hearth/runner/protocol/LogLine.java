package dev.hearth.runner.protocol;

/**
 * One line of the live log stream of a pod ({@code GET /v1/logs}, one JSON object per line).
 *
 * @param timestamp ISO-8601 instant the runner read the line
 * @param stream    {@code stdout}, {@code stderr} or {@code runner}
 * @param line      the text, without its line terminator, cut at {@link RunnerProtocol#MAX_LOG_LINE_CHARS}
 */
public record LogLine(String timestamp, String stream, String line) {
}
