package dev.hearth.gateway.config;

import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.hearth.pool.redis.RedisConfig;

/**
 * {@code hearth.redis.*}: the shared state of several replicas. With no {@code url}, state lives in memory (one
 * replica).
 *
 * @param url            {@code redis://[:password@]host:port}, {@code rediss://} for TLS ({@code HEARTH_REDIS_URL});
 *                       never printed
 * @param commandTimeout how long one command may take before the store counts as unavailable
 * @param keyPrefix      prepended to every key, so installations can share one Redis
 * @param claimReplays   how often a lease claim whose command timed out is sent again (same nonce) before 503
 * @param connectTimeout how long a starting replica keeps trying to reach Redis before it gives up (Redis may start
 *                       at the same time)
 * @param breakerOpenFor how long the registry's breaker answers "unavailable" at once after Redis kept failing,
 *                       before it lets one call probe again
 */
public record RedisProperties(String url,
                              @DefaultValue("1s") Duration commandTimeout,
                              @DefaultValue("hearth:") String keyPrefix,
                              @DefaultValue("3") int claimReplays,
                              @DefaultValue("15s") Duration connectTimeout,
                              @DefaultValue("1s") Duration breakerOpenFor) {

    public RedisProperties {
        url = url == null ? "" : url;
        Durations.requirePositive("hearth.redis.breaker-open-for", breakerOpenFor);
    }

    public boolean configured() {
        return !url.isBlank();
    }

    /** Validated by {@link RedisConfig}, which names the bad value (never the password). */
    public RedisConfig config() {
        return new RedisConfig(url, commandTimeout, keyPrefix, claimReplays, connectTimeout);
    }

    @Override
    public String toString() {
        return "RedisProperties[url=" + (configured() ? "<redacted>" : "") + ", commandTimeout=" + commandTimeout
                + ", keyPrefix=" + keyPrefix + ", claimReplays=" + claimReplays + ", connectTimeout=" + connectTimeout + "]";
    }
}
