package dev.hearth.gateway.config;

import java.time.Duration;

import dev.hearth.pool.ImagePattern;
import dev.hearth.pool.PoolConfig;

/**
 * One entry of {@code hearth.pools} (or {@code hearth.pool-defaults}): every field but {@code image} may be left
 * out and is then taken from the defaults; its {@code kubernetes} and {@code docker} blocks are laid over the defaults'
 * blocks.
 *
 * @param image          the runtime image the pool's pods run, or a pattern of images ({@link ImagePattern}) whose
 *                       pools are made per runtime (size 0) from this entry
 * @param size           warm pods to keep ready (per replica on the local driver, per installation on Kubernetes);
 *                       0 creates each runtime's pod on demand
 * @param max            most pods of the pool at once, warm, handed out and being created
 * @param maxPending     most acquisitions that may wait for a pod; beyond, {@code 503 pool_exhausted} at once
 * @param acquireTimeout how long an acquisition may wait
 * @param adapter        {@code exec} (a process per execution), {@code http} (a server on {@code $PORT}) or
 *                       {@code openruntimes}; left out of a pattern entry, the runtime's version decides ({@code v5},
 *                       {@code v2}: {@code openruntimes}; else the defaults')
 * @param command        the start command; the runtime's entrypoint is appended
 * @param startTimeout   how long a function may take to start (an {@code http} server to listen)
 * @param kubernetes     how the pool's pods look on Kubernetes
 * @param docker         how the pool's containers look on Docker
 */
public record PoolProperties(String image, Integer size, Integer max, Integer maxPending, Duration acquireTimeout,
                             String adapter, String command, Duration startTimeout,
                             PoolKubernetesProperties kubernetes, PoolDockerProperties docker) {

    /**
     * This entry with the blanks filled from {@code defaults}, validated; {@code key} names it in errors. A pattern
     * entry ({@code image} holds {@code *} or {@code ?}) has size 0: its pools are made per runtime, at call time.
     */
    PoolConfig toConfig(PoolProperties defaults, String key) {
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException(key + ".image must be set, but was '" + image + "'");
        }
        boolean pattern = ImagePattern.isPattern(image);
        if (pattern && size != null && size != 0) {
            throw new IllegalArgumentException(key + ".size must be 0 or unset for a pattern entry ('" + image
                    + "'): its pools are made per runtime, a pod each, but was " + size);
        }
        int poolSize = pattern ? 0 : pick(size, defaults.size(), key, "size");
        int poolMax = pick(max, defaults.max(), key, "max");
        int poolMaxPending = pick(maxPending, defaults.maxPending(), key, "max-pending");
        Duration poolAcquireTimeout = pick(acquireTimeout, defaults.acquireTimeout(), key, "acquire-timeout");
        String poolAdapter = pick(adapter, defaults.adapter(), key, "adapter");
        String poolCommand = pick(command, defaults.command(), key, "command");
        Duration poolStartTimeout = pick(startTimeout, defaults.startTimeout(), key, "start-timeout");
        try {
            return new PoolConfig(image, poolSize, poolMax, poolMaxPending, poolAcquireTimeout, poolAdapter,
                    poolCommand, poolStartTimeout);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    /** This entry's {@code kubernetes} block laid over the defaults' block. */
    PoolKubernetesProperties kubernetesOver(PoolProperties defaults) {
        PoolKubernetesProperties own = kubernetes != null ? kubernetes : PoolKubernetesProperties.NONE;
        return own.over(defaults.kubernetes());
    }

    /** This entry's {@code docker} block laid over the defaults' block. */
    PoolDockerProperties dockerOver(PoolProperties defaults) {
        PoolDockerProperties own = docker != null ? docker : PoolDockerProperties.NONE;
        return own.over(defaults.docker());
    }

    private static <T> T pick(T own, T fallback, String key, String name) {
        T value = own != null ? own : fallback;
        if (value == null) {
            throw new IllegalArgumentException(key + "." + name + " is not set, and hearth.pool-defaults." + name
                    + " is not either");
        }
        return value;
    }
}
