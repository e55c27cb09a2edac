package dev.hearth.gateway.config;

import java.time.Duration;

import dev.hearth.pool.PoolConfig;

/**
 * One entry of {@code hearth.pools} (or {@code hearth.pool-defaults}): every field but {@code image} may be
 * left out and is then taken from the defaults.
 */
public record PoolProperties(String image, Integer size, Integer max, Integer maxPending, Duration acquireTimeout,
                             String adapter, String command, Duration startTimeout) {

    /** This entry with the blanks filled from {@code defaults}, validated. */
    public PoolConfig toConfig(PoolProperties defaults) {
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("every hearth.pools entry needs an image, but one was '" + image + "'");
        }
        return new PoolConfig(image,
                pick(size, defaults.size(), "size"),
                pick(max, defaults.max(), "max"),
                pick(maxPending, defaults.maxPending(), "max-pending"),
                pick(acquireTimeout, defaults.acquireTimeout(), "acquire-timeout"),
                pick(adapter, defaults.adapter(), "adapter"),
                pick(command, defaults.command(), "command"),
                pick(startTimeout, defaults.startTimeout(), "start-timeout"));
    }

    private <T> T pick(T own, T fallback, String name) {
        T value = own != null ? own : fallback;
        if (value == null) {
            throw new IllegalArgumentException("pool '" + image + "' has no " + name + " and hearth.pool-defaults has none");
        }
        return value;
    }
}
