package dev.hearth.gateway.metrics;

import java.util.function.ToDoubleFunction;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

import dev.hearth.pool.PodPool;
import dev.hearth.pool.PoolMetrics;
import dev.hearth.pool.Pools;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Per-pool gauges at {@code /actuator/prometheus} (all of Hearth's metrics are listed in {@link HearthMetrics}).
 * Names and tags (this replica's view; sum over replicas in Prometheus for the deployment):
 * <ul>
 *   <li>{@code hearth_pool_pods{image, state="warm"|"claimed"|"creating"}}: pods of the pool by state</li>
 *   <li>{@code hearth_pool_pending{image}}: acquisitions waiting for a pod</li>
 *   <li>{@code hearth_pool_target{image}}: the pool's {@code size}, the warm pods the deployment aims for</li>
 *   <li>{@code hearth_pool_degraded{image}}: 1 while the pool cannot create pods (Kubernetes breaker open)</li>
 * </ul>
 * Sampled when scraped, from the pool's own counts: no extra bookkeeping on the hot path.
 */
@Component
public class PoolGauges implements SmartInitializingSingleton {

    // The names are defined in HearthMetrics; these stay for code that names the gauges through this class.
    public static final String PODS = HearthMetrics.POOL_PODS;
    public static final String PENDING = HearthMetrics.POOL_PENDING;
    public static final String TARGET = HearthMetrics.POOL_TARGET;
    public static final String DEGRADED = HearthMetrics.POOL_DEGRADED;

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
            Gauge.builder(PENDING, pool, p -> p.metrics().pending()).tag(HearthMetrics.TAG_IMAGE, image)
                    .description("Acquisitions waiting for a pod").register(registry);
            Gauge.builder(TARGET, pool, p -> p.config().size()).tag(HearthMetrics.TAG_IMAGE, image)
                    .description("Warm pods the deployment keeps (size)").register(registry);
            Gauge.builder(DEGRADED, pool, p -> p.degraded() ? 1 : 0).tag(HearthMetrics.TAG_IMAGE, image)
                    .description("1 while the pool cannot create pods (circuit breaker open)").register(registry);
        }
    }

    private void pods(PodPool pool, String image, String state, ToDoubleFunction<PoolMetrics> count) {
        Gauge.builder(PODS, pool, p -> count.applyAsDouble(p.metrics()))
                .tag(HearthMetrics.TAG_IMAGE, image).tag(HearthMetrics.TAG_STATE, state)
                .description("Pods of the pool by state").register(registry);
    }
}
