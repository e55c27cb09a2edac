package dev.hearth.runner.logs;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * An exact "everything written so far has been read" barrier for a child's stdout or stderr. The runner
 * writes a marker line into the child's own pipe (opened again through {@code /proc/<pid>/fd/<n>}); pipes
 * keep order, so when the {@link LinePump} meets the marker, every byte the child wrote before it has been
 * read and its lines handed out. Marker writes are shorter than {@code PIPE_BUF}, so they never interleave
 * inside a child's write. Where {@code /proc} is missing, the barrier completes at once (best effort).
 */
public final class DrainMarker implements AutoCloseable {

    /** Starts every marker; a NUL never appears in the text lines this is meant for. */
    static final String PREFIX = "\u0000hearth-drain:";

    private final FileOutputStream pipe;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Sinks.Empty<Void>> waiting = new ConcurrentHashMap<>();

    private DrainMarker(FileOutputStream pipe) {
        this.pipe = pipe;
    }

    /** A marker for the child's descriptor {@code fd} (1 stdout, 2 stderr). */
    public static DrainMarker of(long pid, int fd) {
        Path path = Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd));
        try {
            return new DrainMarker(pid > 0 && Files.exists(path) ? new FileOutputStream(path.toFile()) : null);
        } catch (IOException | SecurityException e) {
            return new DrainMarker(null);
        }
    }

    /**
     * Completes when the pump has read everything written before this call, or after {@code max}. The write
     * runs on a bounded-elastic thread: a full pipe would block it.
     */
    public Mono<Void> drained(Duration max) {
        if (pipe == null) {
            return Mono.empty();
        }
        return Mono.defer(() -> {
            String id = Long.toString(ids.incrementAndGet());
            Sinks.Empty<Void> seen = Sinks.empty();
            waiting.put(id, seen);
            return Mono.fromRunnable(() -> write(id))
                    .subscribeOn(Schedulers.boundedElastic())
                    .then(seen.asMono())
                    .timeout(max, Mono.empty())
                    .doFinally(signal -> waiting.remove(id));
        });
    }

    /** Called by the pump when it reads a marker line. */
    void seen(String id) {
        Sinks.Empty<Void> sink = waiting.remove(id);
        if (sink != null) {
            sink.tryEmitEmpty();
        }
    }

    private void write(String id) {
        try {
            synchronized (pipe) {
                pipe.write((PREFIX + id + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The child is gone: nothing more will arrive; complete the barrier.
            seen(id);
        }
    }

    @Override
    public void close() {
        waiting.values().forEach(Sinks.Empty::tryEmitEmpty);
        if (pipe != null) {
            try {
                pipe.close();
            } catch (IOException ignored) {
                // only the descriptor to release
            }
        }
    }
}
