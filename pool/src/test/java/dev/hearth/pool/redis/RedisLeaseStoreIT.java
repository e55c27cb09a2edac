package dev.hearth.pool.redis;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.lease.LeaseStoreContract;

/** The lease store contract against a real redis-server; expiry waits real time (Redis's clock). */
class RedisLeaseStoreIT extends LeaseStoreContract {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private RedisLeaseStore store;

    @BeforeEach
    void emptyRedis() {
        redis.flushAll();
        store = new RedisLeaseStore(redis.shared());
    }

    @Override
    protected LeaseStore store() {
        return store;
    }

    @Override
    protected void expire(Duration ttl) {
        // Expiry is by Redis's own clock (PEXPIREAT from Redis TIME): wait until that clock has passed the TTL.
        long expiredAt = redisMillis() + ttl.toMillis() + 1;
        await("Redis's clock passes the lease's TTL").atMost(ttl.plusSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> redisMillis() >= expiredAt);
    }

    private static long redisMillis() {
        return Long.parseLong(redis.command("EVAL",
                "local t = redis.call('TIME') return t[1] * 1000 + math.floor(t[2] / 1000)", "0").trim());
    }
}
