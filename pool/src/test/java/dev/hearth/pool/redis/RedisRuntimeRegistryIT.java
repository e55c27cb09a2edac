package dev.hearth.pool.redis;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.registry.RuntimeRegistry;
import dev.hearth.pool.registry.RuntimeRegistryContract;

/** The runtime registry contract against a real redis-server. */
class RedisRuntimeRegistryIT extends RuntimeRegistryContract {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private RedisRuntimeRegistry registry;

    @BeforeEach
    void emptyRedis() {
        redis.flushAll();
        registry = new RedisRuntimeRegistry(redis.shared());
    }

    @Override
    protected RuntimeRegistry registry() {
        return registry;
    }
}
