package dev.hearth.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.hearth.pool.DynamicPools;
import dev.hearth.pool.ImagePattern;
import dev.hearth.pool.PodLimits;
import dev.hearth.pool.PodPool;
import dev.hearth.pool.PoolCatalog;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolMetrics;
import dev.hearth.pool.PoolRequest;
import dev.hearth.pool.PooledPod;
import dev.hearth.pool.Pools;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;

/** An image's gauges sum all its pools, appear with a pool made at call time and go when its last pool closes. */
class PoolGaugesTest {

    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final java.util.concurrent.atomic.AtomicBoolean idle = new java.util.concurrent.atomic.AtomicBoolean();

    @Test
    void gaugesFollowThePoolsMadeAndClosedAtCallTime() {
        PoolConfig warm = config("app:1", 2);
        DynamicPools made = new DynamicPools(config -> new Stub(config, 1, idle),
                new DynamicPools.Settings(8, Duration.ofMinutes(10)), clock);
        Pools pools = new Pools(List.of(new Stub(warm, 3, idle)), new PoolCatalog(
                List.of(new PoolCatalog.Entry(warm, true, new PodLimits(1, 512))),
                new PoolCatalog.Unconfigured(List.of(ImagePattern.of("**")), config("**", 0), true, "kubernetes")),
                made);
        new PoolGauges(pools, registry).afterSingletonsInstantiated();

        pools.forRuntime(new PoolRequest("app:1", "v4", new PodLimits(2, 512)));
        pools.forRuntime(new PoolRequest("other:1", "v4", new PodLimits(1, 512)));

        assertThat(claimed("app:1")).as("the warm pool's 3 and its pod-of-its-own pool's 1").isEqualTo(4);
        assertThat(claimed("other:1")).isEqualTo(1);
        idle.set(true);
        now.set(now.get().plus(Duration.ofMinutes(11)));
        assertThat(made.closeIdle()).isEqualTo(2);

        assertThat(registry.find(HearthMetrics.POOL_PODS).tag(HearthMetrics.TAG_IMAGE, "other:1").gauges())
                .as("gone with its last pool").isEmpty();
        assertThat(claimed("app:1")).as("its configured pool stays").isEqualTo(3);
        made.close();
    }

    private double claimed(String image) {
        return registry.get(HearthMetrics.POOL_PODS).tag(HearthMetrics.TAG_IMAGE, image)
                .tag(HearthMetrics.TAG_STATE, "claimed").gauge().value();
    }

    static PoolConfig config(String image, int size) {
        return new PoolConfig(image, size, 8, 4, Duration.ofSeconds(5), "exec", "sh", Duration.ofSeconds(5));
    }

    /** A pool with a fixed count of claimed pods (none once idle, for pools made at call time). */
    static final class Stub implements PodPool {
        final PoolConfig config;
        final int claimed;
        final java.util.concurrent.atomic.AtomicBoolean idle;

        Stub(PoolConfig config, int claimed, java.util.concurrent.atomic.AtomicBoolean idle) {
            this.config = config;
            this.claimed = claimed;
            this.idle = idle;
        }

        @Override public PoolConfig config() { return config; }
        @Override public Mono<PooledPod> acquire() { return Mono.empty(); }
        @Override public boolean degraded() { return false; }
        @Override public PoolMetrics metrics() {
            return new PoolMetrics(0, idle.get() && config.limits() != null ? 0 : claimed, 0, 0, config.size());
        }
    }
}
