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
 * @param limits         {@code null}: the pods' limits are the driver's pool settings; otherwise exactly these (a
 *                       dimension left 0 keeps the setting), for a pool made for runtimes that asked for them
 */
public record PoolConfig(String image, int size, int max, int maxPending, Duration acquireTimeout,
                         String adapter, String command, Duration startTimeout, PodLimits limits) {

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

    /** A pool whose pods' limits are the driver's pool settings. */
    public PoolConfig(String image, int size, int max, int maxPending, Duration acquireTimeout, String adapter,
                      String command, Duration startTimeout) {
        this(image, size, max, maxPending, acquireTimeout, adapter, command, startTimeout, null);
    }

    /**
     * This configuration for {@code image}, made per runtime: size 0 (a pod per runtime), the given adapter, pods
     * limited to exactly {@code podLimits}.
     */
    public PoolConfig perRuntime(String forImage, String withAdapter, PodLimits podLimits) {
        return new PoolConfig(forImage, 0, max, maxPending, acquireTimeout, withAdapter, command, startTimeout,
                podLimits);
    }

    /** How health details name the pool: its image, and the limits of a pool made per runtime. */
    public String name() {
        return limits == null ? image : image + " (" + adapter + ", " + limits + ")";
    }

    private static void requirePositive(String image, String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " of pool '" + image + "' must be positive, but was " + value);
        }
    }
}
