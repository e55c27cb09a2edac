package dev.hearth.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * How one image pool behaves. Immutable; validated on construction so a bad configuration fails at
 * startup with the bad value named.
 *
 * @param image          runtime image the pool's pods run
 * @param size           warm pods to keep ready; 0 creates each runtime's pod on demand
 * @param max            most pods the pool may hold at once, warm + claimed + being created
 * @param maxPending     most acquisitions that may wait for a pod; over it acquire fails fast
 * @param acquireTimeout how long an acquisition may wait in the pending queue
 * @param adapter        runner adapter of the pool's functions ({@code exec}, {@code http} or {@code openruntimes})
 * @param command        start command prefix; the runtime's entrypoint is appended to it
 * @param startTimeout   how long an {@code http} function may take to accept connections
 */
public record PoolConfig(String image, int size, int max, int maxPending, Duration acquireTimeout,
                         String adapter, String command, Duration startTimeout) {

    public PoolConfig {
        Objects.requireNonNull(image, "image");
        if (size < 0) {
            throw new IllegalArgumentException("size of pool '" + image + "' must be >= 0, but was " + size);
        }
        if (max < Math.max(size, 1)) {
            throw new IllegalArgumentException("max of pool '" + image + "' must be >= max(size, 1) = "
                    + Math.max(size, 1) + ", but was " + max);
        }
        if (maxPending < 0) {
            throw new IllegalArgumentException("maxPending of pool '" + image + "' must be >= 0, but was " + maxPending);
        }
        requirePositive(image, "acquireTimeout", acquireTimeout);
        requirePositive(image, "startTimeout", startTimeout);
        dev.hearth.runner.protocol.Adapter.fromWire(adapter);
        Objects.requireNonNull(command, "command");
    }

    private static void requirePositive(String image, String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " of pool '" + image + "' must be positive, but was " + value);
        }
    }
}
