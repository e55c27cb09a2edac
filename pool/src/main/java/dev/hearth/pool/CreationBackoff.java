package dev.hearth.pool;

import java.time.Duration;

/**
 * How long a pool waits before creating pods again after failures: 100 ms, doubling per failure in a row,
 * at most 30 s; a success starts over. Not thread-safe: used under the pool's monitor.
 */
final class CreationBackoff {

    private static final Duration MAX = Duration.ofSeconds(30);

    private int failures;

    /** Records a failure; returns the wait before the next attempt. */
    Duration failed() {
        failures++;
        long millis = 100L << Math.min(failures - 1, 10);
        return millis > MAX.toMillis() ? MAX : Duration.ofMillis(millis);
    }

    void succeeded() {
        failures = 0;
    }

    int failuresInARow() {
        return failures;
    }
}
