package dev.hearth.runner.build;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import dev.hearth.runner.protocol.BuildEnd;
import dev.hearth.runner.protocol.BuildOutput;
import dev.hearth.runner.protocol.ProtocolJson;
import dev.hearth.runner.protocol.RunnerProtocol;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * A build's log: its output chunks, then its end, one {@link BuildOutput} JSON object a line in a file of the pod's
 * work directory. Every reader reads the whole log from the start at its own pace and follows it until the end:
 * a reader that takes one byte a second costs the runner one record in memory, never a growing buffer, and the
 * build never waits for it. The file keeps at most {@link RunnerProtocol#MAX_BUILD_LOG_BYTES} of output; beyond,
 * output is counted as truncated and left out.
 *
 * <p>Thread-safe: output may be appended from several pumps (stdout, stderr), the end once; readers block a
 * bounded-elastic thread while they wait for more (woken on every append, and at least every 250 ms).
 */
public final class BuildLog implements AutoCloseable {

    private static final long WAKE_MILLIS = 250;

    private final Path file;
    private final OutputStream out;
    private final long maxBytes;
    private final Object lock = new Object();
    private long length;
    private long outputBytes;
    private boolean truncated;
    private boolean ended;

    public BuildLog(Path file) throws IOException {
        this(file, RunnerProtocol.MAX_BUILD_LOG_BYTES);
    }

    BuildLog(Path file, long maxBytes) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.out = Files.newOutputStream(file);
    }

    /** Adds a chunk of output; past the cap it is only counted. Never blocks for a reader. */
    public void append(String content) {
        int bytes = content.getBytes(StandardCharsets.UTF_8).length;
        synchronized (lock) {
            if (ended) {
                return;
            }
            outputBytes += bytes;
            if (outputBytes > maxBytes) {
                truncated = true;
                return;
            }
            // Stamped under the lock, so that timestamps follow the order of the records.
            write(record(BuildOutput.chunk(Instant.now().toString(), content)));
        }
    }

    /** Ends the log with how the build ended; later appends are ignored. Idempotent. */
    public void end(int exitCode, boolean timedOut, double durationMs) {
        synchronized (lock) {
            if (ended) {
                return;
            }
            write(record(BuildOutput.last(Instant.now().toString(), new BuildEnd(exitCode, timedOut, durationMs,
                    truncated))));
            ended = true;
        }
    }

    public boolean ended() {
        synchronized (lock) {
            return ended;
        }
    }

    /**
     * The whole log from the start, following it until its end record (included), then complete. Cold: each
     * subscription reads on its own; backpressured: one record is read per request.
     */
    public Flux<BuildOutput> read() {
        return Flux.<BuildOutput, Reader>generate(Reader::new, (reader, sink) -> {
                    BuildOutput next = reader.next();
                    sink.next(next);
                    if (next.ends()) {
                        sink.complete();
                    }
                    return reader;
                }, Reader::close)
                .subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public void close() {
        synchronized (lock) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ended = true;
            lock.notifyAll();
        }
    }

    private void write(byte[] line) {
        try {
            out.write(line);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build log " + file, e);
        }
        length += line.length;
        lock.notifyAll();
    }

    private static byte[] record(BuildOutput output) {
        byte[] json = ProtocolJson.toBytes(output);
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    /** One reader's position in the file, read through a small buffer. */
    private final class Reader {

        private final FileChannel in;
        private final ByteBuffer buffer = ByteBuffer.allocate(16 * 1024).flip();
        /** Bytes consumed as records. */
        private long position;
        /** Bytes read into buffers. */
        private long filled;

        Reader() {
            try {
                in = FileChannel.open(file, StandardOpenOption.READ);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The next record, waiting for it to be written (records are written whole, so it is complete). */
        BuildOutput next() {
            awaitMore();
            ByteArrayOutputStream line = new ByteArrayOutputStream(512);
            try {
                while (true) {
                    if (!buffer.hasRemaining()) {
                        buffer.clear();
                        int read = in.read(buffer, filled);
                        buffer.flip();
                        if (read <= 0) {
                            throw new IllegalStateException("the build log " + file + " is shorter than written");
                        }
                        filled += read;
                    }
                    byte b = buffer.get();
                    position++;
                    if (b == '\n') {
                        return ProtocolJson.fromBytes(line.toByteArray(), BuildOutput.class);
                    }
                    line.write(b);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void awaitMore() {
            synchronized (lock) {
                while (position >= length) {
                    if (ended) {
                        throw new IllegalStateException("the build log " + file + " ended without its end record");
                    }
                    try {
                        lock.wait(WAKE_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while following the build log", e);
                    }
                }
            }
        }

        void close() {
            try {
                in.close();
            } catch (IOException e) {
                // The reader is done either way.
            }
        }
    }
}
