package dev.hearth.gateway.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

import dev.hearth.pool.lease.InMemoryLeaseStore;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.redis.RedisConnections;
import dev.hearth.pool.redis.RedisLeaseStore;
import dev.hearth.pool.redis.RedisRuntimeRegistry;
import dev.hearth.pool.registry.GuardedRuntimeRegistry;
import dev.hearth.pool.registry.InMemoryRuntimeRegistry;
import dev.hearth.pool.registry.RuntimeRegistry;

/**
 * Where leases and the runtime registry live: in memory for a single replica (no {@code hearth.redis.url}),
 * in Redis when several replicas share runtimes.
 *
 * <p>Failure policy with Redis (DESIGN.md): when Redis is unreachable, anything that needs the shared state
 * (creating a runtime, claiming a pod, reaching a runtime another replica holds) fails closed with
 * {@code 503 store_unavailable}; runtimes this replica holds keep serving from memory until their leases expire
 * (the registry's circuit breaker answers at once while Redis keeps failing, instead of a command timeout per
 * execution); the connection reconnects by itself, so service resumes without a restart.
 */
public final class StateStoreConfiguration {

    private StateStoreConfiguration() {
    }

    /**
     * Whether {@code hearth.redis.url} is set, read from the environment directly: placed into a SpEL expression,
     * a password with a quote would break the expression and the error would print the URL, password included.
     */
    static final class RedisConfigured implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String url = context.getEnvironment().getProperty("hearth.redis.url", "");
            return !url.isBlank();
        }
    }

    static final class RedisNotConfigured implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !new RedisConfigured().matches(context, metadata);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(RedisNotConfigured.class)
    static class InMemory {

        @Bean
        LeaseStore leaseStore() {
            return new InMemoryLeaseStore();
        }

        @Bean
        RuntimeRegistry runtimeRegistry() {
            return new InMemoryRuntimeRegistry();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(RedisConfigured.class)
    static class Redis {

        /** Connects at startup: a gateway configured for Redis that cannot reach it does not start. */
        @Bean(destroyMethod = "close")
        RedisConnections redisConnections(HearthProperties properties) {
            return RedisConnections.connect(properties.redis().config());
        }

        @Bean
        LeaseStore leaseStore(RedisConnections connections) {
            return new RedisLeaseStore(connections);
        }

        /** Behind a breaker that answers at once for {@code hearth.redis.breaker-open-for} after Redis kept failing. */
        @Bean
        RuntimeRegistry runtimeRegistry(RedisConnections connections, HearthProperties properties) {
            return new GuardedRuntimeRegistry(new RedisRuntimeRegistry(connections), properties.redis().breakerOpenFor());
        }
    }
}
