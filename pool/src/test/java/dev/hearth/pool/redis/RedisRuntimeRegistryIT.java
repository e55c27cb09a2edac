package dev.hearth.pool.redis;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.registry.RuntimeRegistry;
import dev.hearth.pool.registry.RuntimeRegistryContract;

/** The runtime registry contract against a real redis-server. */
class RedisRuntimeRegistryIT extends RuntimeRegistryContract {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static RedisConnections connections;

    private RedisRuntimeRegistry registry;

    @BeforeAll
    static void connect() {
        connections = RedisConnections.connect(RedisConfig.of(redis.url()));
    }

    @AfterAll
    static void close() {
        connections.close();
    }

    @BeforeEach
    void emptyRedis() {
        redis.flushAll();
        registry = new RedisRuntimeRegistry(connections);
    }

    @Override
    protected RuntimeRegistry registry() {
        return registry;
    }
}
