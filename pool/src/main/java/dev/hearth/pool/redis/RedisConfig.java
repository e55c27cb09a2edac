package dev.hearth.pool.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;

import io.lettuce.core.RedisURI;

/**
 * Where the shared state lives ({@code hearth.redis.*}). Immutable; validated on construction so a bad
 * configuration fails at startup with the bad value named (the password never is).
 *
 * @param url            {@code redis://[[user]:password@]host[:port][/db]}, or {@code rediss://...} for TLS
 * @param commandTimeout how long any one command may take before the store reports itself unavailable
 * @param keyPrefix      prepended to every key, so several deployments can share one Redis; for Redis
 *                       Cluster use a hash tag ({@code {hearth}:}) because the scripts span keys
 * @param claimReplays   how often a lease claim whose command timed out (outcome unknown: it may have run) is
 *                       sent again, with the same nonce, before the store is reported unavailable
 */
public record RedisConfig(String url, Duration commandTimeout, String keyPrefix, int claimReplays,
                          Duration connectTimeout) {

    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(1);
    /** A replica starting with (or just before) Redis waits this long for it before it gives up. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(15);
    public static final String DEFAULT_KEY_PREFIX = "hearth:";
    public static final int DEFAULT_CLAIM_REPLAYS = 3;

    public RedisConfig {
        Objects.requireNonNull(url, "url");
        String scheme = url.contains("://") ? url.substring(0, url.indexOf("://")) : "";
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new IllegalArgumentException("hearth.redis.url must start with redis:// or rediss://, but was "
                    + redact(url));
        }
        if (commandTimeout == null || commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("hearth.redis.command-timeout must be positive, but was "
                    + commandTimeout);
        }
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        if (claimReplays < 0) {
            throw new IllegalArgumentException("hearth.redis.claim-replays must be >= 0, but was " + claimReplays);
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("hearth.redis.connect-timeout must be positive, but was "
                    + connectTimeout);
        }
        redisUri(url, commandTimeout);
    }

    public RedisConfig(String url, Duration commandTimeout, String keyPrefix, int claimReplays) {
        this(url, commandTimeout, keyPrefix, claimReplays, DEFAULT_CONNECT_TIMEOUT);
    }

    /** The URL with default timeout and prefix. */
    public static RedisConfig of(String url) {
        return new RedisConfig(url, DEFAULT_COMMAND_TIMEOUT, DEFAULT_KEY_PREFIX, DEFAULT_CLAIM_REPLAYS);
    }

    /** Lettuce's view of the URL; TLS and credentials come from the URL itself. */
    RedisURI redisUri() {
        return redisUri(url, commandTimeout);
    }

    private static RedisURI redisUri(String url, Duration commandTimeout) {
        RedisURI uri;
        try {
            uri = RedisURI.create(url);
        } catch (RuntimeException e) {
            // Lettuce's message may quote the URL, password included: name the URL redacted and drop the cause.
            throw new IllegalArgumentException("hearth.redis.url is not a valid Redis URL: " + redact(url)
                    + " (" + e.getClass().getSimpleName() + ")");
        }
        uri.setTimeout(commandTimeout);
        return uri;
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "RedisConfig[url=" + redact(url) + ", commandTimeout=" + commandTimeout + ", keyPrefix=" + keyPrefix
                + ", claimReplays=" + claimReplays + "]";
    }

    /** The URL without its user info, for messages and logs. */
    static String redact(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getRawUserInfo() == null) {
                return url;
            }
            return new URI(uri.getScheme(), "***", uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (URISyntaxException | RuntimeException e) {
            return "<unparseable URL>";
        }
    }
}
