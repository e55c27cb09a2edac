package dev.hearth.runner.logs;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells how many bytes wait unread in a child process's stdout or stderr pipe. Java's process streams
 * synchronize {@code available()} with a blocked {@code read()}, so the probe opens the same pipe a second
 * time through {@code /proc/<pid>/fd/<n>} and asks that descriptor instead (FIONREAD counts the pipe's
 * buffer, whichever descriptor asks). It never reads. Where {@code /proc} is missing, it reports 0.
 */
public final class PipeProbe implements AutoCloseable {

    private final FileInputStream pipe;

    private PipeProbe(FileInputStream pipe) {
        this.pipe = pipe;
    }

    /** A probe of the child's descriptor {@code fd} (1 stdout, 2 stderr); a no-op probe when it cannot open it. */
    public static PipeProbe of(long pid, int fd) {
        Path path = Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd));
        try {
            return new PipeProbe(Files.exists(path) ? new FileInputStream(path.toFile()) : null);
        } catch (IOException | SecurityException e) {
            return new PipeProbe(null);
        }
    }

    /** Bytes written by the child and not yet read by its pump. */
    public int unread() {
        if (pipe == null) {
            return 0;
        }
        try {
            return pipe.available();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        if (pipe != null) {
            try {
                pipe.close();
            } catch (IOException ignored) {
                // nothing to release beyond the descriptor
            }
        }
    }
}
