package dev.hearth.gateway.metrics;

import static dev.hearth.gateway.metrics.HearthMetrics.POOL_DEGRADED;
import static dev.hearth.gateway.metrics.HearthMetrics.POOL_PENDING;
import static dev.hearth.gateway.metrics.HearthMetrics.POOL_PODS;
import static dev.hearth.gateway.metrics.HearthMetrics.POOL_TARGET;
import static dev.hearth.gateway.metrics.HearthMetrics.TAG_IMAGE;
import static dev.hearth.gateway.metrics.HearthMetrics.TAG_STATE;

import java.util.function.ToDoubleFunction;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

import dev.hearth.pool.PodPool;
import dev.hearth.pool.PoolMetrics;
import dev.hearth.pool.Pools;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Per-pool gauges at {@code /actuator/prometheus}: {@link HearthMetrics#POOL_PODS} by state,
 * {@link HearthMetrics#POOL_PENDING}, {@link HearthMetrics#POOL_TARGET} and {@link HearthMetrics#POOL_DEGRADED}
 * (their tags and meaning are in {@link HearthMetrics}'s table). Sampled when scraped, from the pool's own counts:
 * no extra bookkeeping on the hot path.
 */
@Component
public class PoolGauges implements SmartInitializingSingleton {

    private final Pools pools;
    private final MeterRegistry registry;

    public PoolGauges(Pools pools, MeterRegistry registry) {
        this.pools = pools;
        this.registry = registry;
    }

    @Override
    public void afterSingletonsInstantiated() {
        for (PodPool pool : pools.all()) {
            String image = pool.config().image();
            pods(pool, image, "warm", PoolMetrics::warm);
            pods(pool, image, "claimed", PoolMetrics::claimed);
            pods(pool, image, "creating", PoolMetrics::creating);
            Gauge.builder(POOL_PENDING, pool, p -> p.metrics().pending()).tag(TAG_IMAGE, image)
                    .description("Acquisitions waiting for a pod").register(registry);
            Gauge.builder(POOL_TARGET, pool, p -> p.config().size()).tag(TAG_IMAGE, image)
                    .description("Warm pods the deployment keeps (size)").register(registry);
            Gauge.builder(POOL_DEGRADED, pool, p -> p.degraded() ? 1 : 0).tag(TAG_IMAGE, image)
                    .description("1 while the pool cannot create pods (circuit breaker open)").register(registry);
        }
    }

    private void pods(PodPool pool, String image, String state, ToDoubleFunction<PoolMetrics> count) {
        Gauge.builder(POOL_PODS, pool, p -> count.applyAsDouble(p.metrics()))
                .tag(TAG_IMAGE, image).tag(TAG_STATE, state)
                .description("Pods of the pool by state").register(registry);
    }
}
