package dev.hearth.runner.logs;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.hearth.runner.protocol.LogLine;
import dev.hearth.runner.protocol.RunnerProtocol;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * The pod's live log: every stdout/stderr line of function processes and the runner's notices.
 *
 * <p>Retains the most recent {@link RunnerProtocol#LOG_RETENTION_BYTES} of lines for late readers. Followers get
 * the retained lines then every new one; a follower that falls more than {@link #FOLLOWER_BUFFER} lines behind
 * loses lines rather than growing memory (failure policy: the log is best-effort, executions are not).
 * Thread-safe; {@link #append} never blocks.
 */
public final class LiveLog {

    public static final String STDOUT = "stdout";
    public static final String STDERR = "stderr";
    public static final String RUNNER = "runner";
    static final int FOLLOWER_BUFFER = 4096;
    /** Accounting overhead per retained line (timestamp, stream, JSON), so many tiny lines are bounded too. */
    private static final int LINE_OVERHEAD = 64;

    private final int retentionBytes;
    private final ArrayDeque<LogLine> retained = new ArrayDeque<>();
    private final Set<Sinks.Many<LogLine>> followers = ConcurrentHashMap.newKeySet();
    private long retainedBytes;

    public LiveLog() {
        this(RunnerProtocol.LOG_RETENTION_BYTES);
    }

    LiveLog(int retentionBytes) {
        this.retentionBytes = retentionBytes;
    }

    /** Adds a line (cut at {@link RunnerProtocol#MAX_LOG_LINE_CHARS}) and hands it to every follower. */
    public void append(String stream, String line) {
        String cut = line.length() > RunnerProtocol.MAX_LOG_LINE_CHARS
                ? line.substring(0, RunnerProtocol.MAX_LOG_LINE_CHARS)
                : line;
        LogLine logLine = new LogLine(Instant.now().toString(), stream, cut);
        synchronized (this) {
            retained.addLast(logLine);
            retainedBytes += size(logLine);
            while (retainedBytes > retentionBytes && !retained.isEmpty()) {
                retainedBytes -= size(retained.removeFirst());
            }
            // Under the lock, so every follower sees lines in one order and none between snapshot and registration.
            for (Sinks.Many<LogLine> follower : followers) {
                follower.tryEmitNext(logLine);
            }
        }
    }

    /**
     * The retained lines, then (when {@code follow}) every new line until the subscriber cancels. Lazy: the
     * snapshot is taken at subscription. Cancel unregisters the follower.
     */
    public Flux<LogLine> lines(boolean follow) {
        return Flux.defer(() -> {
            if (!follow) {
                return Flux.fromIterable(snapshot());
            }
            Sinks.Many<LogLine> follower = Sinks.many().unicast()
                    .onBackpressureBuffer(Queues.<LogLine>get(FOLLOWER_BUFFER).get());
            List<LogLine> snapshot;
            synchronized (this) {
                snapshot = List.copyOf(retained);
                followers.add(follower);
            }
            return Flux.fromIterable(snapshot)
                    .concatWith(follower.asFlux())
                    .doFinally(signal -> followers.remove(follower));
        });
    }

    public synchronized List<LogLine> snapshot() {
        return List.copyOf(retained);
    }

    /** Followers currently registered (for tests asserting that a disconnect cleans up). */
    public int followers() {
        return followers.size();
    }

    /** Ends every follow stream, e.g. at shutdown. */
    public void completeFollowers() {
        followers.forEach(Sinks.Many::tryEmitComplete);
    }

    private static long size(LogLine line) {
        return line.line().length() + LINE_OVERHEAD;
    }
}
