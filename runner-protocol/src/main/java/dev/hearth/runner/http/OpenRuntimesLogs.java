package dev.hearth.runner.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

import dev.hearth.runner.logs.CappedLog;
import dev.hearth.runner.protocol.RunnerProtocol;

/**
 * The log files an Open Runtimes server writes for one execution, {@code <id>_logs.log} and {@code <id>_errors.log}
 * in its logs directory: read once, each up to the upstream 5 MiB cap with upstream's truncation line, then deleted
 * (as the upstream executor does). Blocking: call off event loops.
 */
final class OpenRuntimesLogs {

    /**
     * What a log id may be: the server names it, and it becomes part of a file name this runner reads and deletes,
     * so nothing that could leave the logs directory is accepted.
     */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    private OpenRuntimesLogs() {
    }

    /** The id of the {@code x-open-runtimes-log-id} header (URL-encoded), or "" when absent, empty or unsafe. */
    static String id(String header) {
        if (header == null || header.isEmpty()) {
            return "";
        }
        String id = URLDecoder.decode(header, StandardCharsets.UTF_8);
        return SAFE_ID.matcher(id).matches() && !id.contains("..") ? id : "";
    }

    /** An execution's {@code logs} and {@code errors}. */
    record Taken(String logs, String errors) {
    }

    /** The logs of the execution whose log id is {@code id}; both files are gone after. */
    static Taken take(Path logsDir, String id) throws IOException {
        if (id.isEmpty()) {
            return new Taken("", "");
        }
        return new Taken(takeFile(logsDir.resolve(id + "_logs.log"), CappedLog.LOG_TRUNCATED),
                takeFile(logsDir.resolve(id + "_errors.log"), CappedLog.ERROR_TRUNCATED));
    }

    private static String takeFile(Path file, String truncationNote) throws IOException {
        int cap = RunnerProtocol.MAX_EXECUTION_LOG_BYTES;
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(cap + 1);
        } catch (NoSuchFileException none) {
            return "";
        } finally {
            Files.deleteIfExists(file);
        }
        if (head.length <= cap) {
            return new String(head, StandardCharsets.UTF_8);
        }
        int end = cap;
        while (end > 0 && (head[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(head, 0, end, StandardCharsets.UTF_8) + truncationNote;
    }
}
