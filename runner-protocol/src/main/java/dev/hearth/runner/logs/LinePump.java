package dev.hearth.runner.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Reads a process stream (stdout or stderr) to its end on an I/O thread, splitting it into lines: each line
 * goes to the live log and to {@code sink} (which attributes it to executions). A line longer than
 * {@link #MAX_PENDING} bytes without a newline is passed on in pieces, so a binary stream cannot grow memory.
 */
public final class LinePump {

    static final int MAX_PENDING = 64 * 1024;

    private LinePump() {
    }

    /** Starts pumping; the future completes when the stream ends (or fails). */
    public static CompletableFuture<Void> start(InputStream in, String stream, LiveLog liveLog,
                                                Consumer<String> sink, Executor io) {
        return start(in, stream, liveLog, sink, io, null);
    }

    /** As above, completing the {@link DrainMarker}'s barriers as their marker lines arrive. */
    public static CompletableFuture<Void> start(InputStream in, String stream, LiveLog liveLog,
                                                Consumer<String> sink, Executor io, DrainMarker markers) {
        Consumer<String> logged = line -> {
            liveLog.append(stream, line);
            sink.accept(line);
        };
        Consumer<String> lines = markers == null ? logged : line -> handOut(line, logged, markers);
        return CompletableFuture.runAsync(() -> pump(in, lines), io);
    }

    /** A line with a marker completes its barrier; text before the marker is the child's own. */
    private static void handOut(String line, Consumer<String> sink, DrainMarker markers) {
        int at = line.indexOf(DrainMarker.PREFIX);
        if (at < 0) {
            sink.accept(line);
            return;
        }
        if (at > 0) {
            sink.accept(line.substring(0, at));
        }
        markers.seen(line.substring(at + DrainMarker.PREFIX.length()));
    }

    private static void pump(InputStream in, Consumer<String> sink) {
        byte[] buffer = new byte[8192];
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        emit(pending, sink);
                    } else {
                        pending.write(b);
                        if (pending.size() >= MAX_PENDING) {
                            emit(pending, sink);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // The stream closes when the process is killed: what was read so far still counts.
        }
        if (pending.size() > 0) {
            emit(pending, sink);
        }
    }

    private static void emit(ByteArrayOutputStream pending, Consumer<String> sink) {
        String line = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        sink.accept(line);
    }
}
