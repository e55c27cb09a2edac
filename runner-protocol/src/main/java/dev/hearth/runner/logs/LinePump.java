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
        return start(in, stream, liveLog, sink, io, new Progress());
    }

    /** As {@link #start(InputStream, String, LiveLog, Consumer, Executor)}, reporting into {@code progress}. */
    public static CompletableFuture<Void> start(InputStream in, String stream, LiveLog liveLog,
                                                Consumer<String> sink, Executor io, Progress progress) {
        return CompletableFuture.runAsync(() -> pump(in, stream, liveLog, sink, progress), io);
    }

    /**
     * Whether a pump is between reading bytes and handing out their lines: with {@link PipeProbe}, a caller
     * can wait until everything a process wrote so far has reached the sink.
     */
    public static final class Progress {
        private volatile boolean handling;

        public boolean handling() {
            return handling;
        }
    }

    private static void pump(InputStream in, String stream, LiveLog liveLog, Consumer<String> sink, Progress progress) {
        byte[] buffer = new byte[8192];
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                progress.handling = true;
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        emit(pending, stream, liveLog, sink);
                    } else {
                        pending.write(b);
                        if (pending.size() >= MAX_PENDING) {
                            emit(pending, stream, liveLog, sink);
                        }
                    }
                }
                progress.handling = false;
            }
        } catch (IOException e) {
            // The stream closes when the process is killed: what was read so far still counts.
        }
        if (pending.size() > 0) {
            emit(pending, stream, liveLog, sink);
        }
    }

    private static void emit(ByteArrayOutputStream pending, String stream, LiveLog liveLog, Consumer<String> sink) {
        String line = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        liveLog.append(stream, line);
        sink.accept(line);
    }
}
