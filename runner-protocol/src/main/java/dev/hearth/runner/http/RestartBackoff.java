package dev.hearth.runner.http;

import java.time.Duration;

/**
 * The delay before a server is started again, as Docker spaces a container's restarts: 100 ms before the first,
 * doubled before each next one, at most {@link #MAX}; a server that stayed up {@link #STABLE} or longer counts as
 * having started well, so the delay before its restart is 100 ms again. This keeps a server that exits at once from
 * spinning the CPU while one that crashes now and then is back quickly. The cap is below Docker's minute so that a
 * server back from a crash loop is ready within an ordinary execution timeout's reach.
 *
 * <p>Not thread-safe: its owner calls it under its own lock.
 */
final class RestartBackoff {

    static final Duration FIRST = Duration.ofMillis(100);
    static final Duration MAX = Duration.ofSeconds(30);
    static final Duration STABLE = Duration.ofSeconds(10);

    private Duration last = Duration.ZERO;

    /** The delay before restarting a server that ran for {@code uptime}. */
    Duration next(Duration uptime) {
        if (uptime.compareTo(STABLE) >= 0 || last.isZero()) {
            last = FIRST;
        } else {
            Duration doubled = last.multipliedBy(2);
            last = doubled.compareTo(MAX) > 0 ? MAX : doubled;
        }
        return last;
    }
}
