package dev.hearth.runner.logs;

import java.nio.charset.StandardCharsets;

import dev.hearth.runner.protocol.RunnerProtocol;

/**
 * The {@code logs} or {@code errors} text of one execution: keeps the first
 * {@link RunnerProtocol#MAX_EXECUTION_LOG_BYTES} bytes (UTF-8), then adds the Open Runtimes truncation note.
 * Thread-safe: output pumps append while the execution thread reads the result.
 */
public final class CappedLog {

    public static final String LOG_TRUNCATED = "\nLog file has been truncated to 5.00MB.";
    public static final String ERROR_TRUNCATED = "\nError file has been truncated to 5.00MB.";

    private final int capBytes;
    private final String truncationNote;
    private final StringBuilder text = new StringBuilder();
    private int bytes;
    private boolean truncated;

    public CappedLog(int capBytes, String truncationNote) {
        this.capBytes = capBytes;
        this.truncationNote = truncationNote;
    }

    public static CappedLog logs() {
        return new CappedLog(RunnerProtocol.MAX_EXECUTION_LOG_BYTES, LOG_TRUNCATED);
    }

    public static CappedLog errors() {
        return new CappedLog(RunnerProtocol.MAX_EXECUTION_LOG_BYTES, ERROR_TRUNCATED);
    }

    public synchronized void append(String chunk) {
        if (truncated) {
            return;
        }
        int chunkBytes = utf8Length(chunk);
        if (bytes + chunkBytes <= capBytes) {
            text.append(chunk);
            bytes += chunkBytes;
            return;
        }
        // Keep whole characters up to the byte cap.
        int i = 0;
        while (i < chunk.length()) {
            int cp = chunk.codePointAt(i);
            int cpBytes = utf8Length(new String(Character.toChars(cp)));
            if (bytes + cpBytes > capBytes) {
                break;
            }
            text.appendCodePoint(cp);
            bytes += cpBytes;
            i += Character.charCount(cp);
        }
        truncated = true;
    }

    public synchronized boolean truncated() {
        return truncated;
    }

    @Override
    public synchronized String toString() {
        return truncated ? text + truncationNote : text.toString();
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
