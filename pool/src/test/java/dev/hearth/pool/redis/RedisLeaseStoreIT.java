package dev.hearth.pool.redis;

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
        try {
            // The subject is expiry by Redis's own clock (PEXPIREAT from Redis TIME): only real time passing shows it.
            Thread.sleep(ttl.plusMillis(50).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
