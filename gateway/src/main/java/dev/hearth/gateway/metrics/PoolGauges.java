package dev.hearth.gateway.metrics;

import static dev.hearth.gateway.metrics.HearthMetrics.POOL_DEGRADED;
import static dev.hearth.gateway.metrics.HearthMetrics.POOL_PENDING;
import static dev.hearth.gateway.metrics.HearthMetrics.POOL_PODS;
import static dev.hearth.gateway.metrics.HearthMetrics.POOL_TARGET;
import static dev.hearth.gateway.metrics.HearthMetrics.TAG_IMAGE;
import static dev.hearth.gateway.metrics.HearthMetrics.TAG_STATE;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

import dev.hearth.pool.DynamicPools;
import dev.hearth.pool.PodPool;
import dev.hearth.pool.PoolMetrics;
import dev.hearth.pool.Pools;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Per-image pool gauges at {@code /actuator/prometheus}: {@link HearthMetrics#POOL_PODS} by state,
 * {@link HearthMetrics#POOL_PENDING}, {@link HearthMetrics#POOL_TARGET} and {@link HearthMetrics#POOL_DEGRADED}
 * (their tags and meaning are in {@link HearthMetrics}'s table). Sampled when scraped, from the pools' own counts:
 * no extra bookkeeping on the hot path. An image's gauges sum every pool of it — its configured pool and the pools
 * made at call time for it (one per adapter and limits) — appear with its first pool and go with its last.
 */
@Component
public class PoolGauges implements SmartInitializingSingleton, DynamicPools.Listener {

    private final Pools pools;
    private final MeterRegistry registry;
    private final Map<String, List<Meter>> byImage = new HashMap<>();

    public PoolGauges(Pools pools, MeterRegistry registry) {
        this.pools = pools;
        this.registry = registry;
    }

    @Override
    public void afterSingletonsInstantiated() {
        pools.all().forEach(this::opened);
        pools.listen(this);
    }

    @Override
    public synchronized void opened(PodPool pool) {
        String image = pool.config().image();
        if (byImage.containsKey(image)) {
            return;
        }
        List<Meter> meters = new ArrayList<>();
        meters.add(pods(image, "warm", PoolMetrics::warm));
        meters.add(pods(image, "claimed", PoolMetrics::claimed));
        meters.add(pods(image, "creating", PoolMetrics::creating));
        meters.add(Gauge.builder(POOL_PENDING, this, g -> g.sum(image, PoolMetrics::pending)).tag(TAG_IMAGE, image)
                .description("Acquisitions waiting for a pod").register(registry));
        meters.add(Gauge.builder(POOL_TARGET, this, g -> g.sum(image, PoolMetrics::target)).tag(TAG_IMAGE, image)
                .description("Warm pods the deployment keeps (size)").register(registry));
        meters.add(Gauge.builder(POOL_DEGRADED, this, g -> g.degraded(image)).tag(TAG_IMAGE, image)
                .description("1 while the pool cannot create pods (circuit breaker open)").register(registry));
        byImage.put(image, meters);
    }

    @Override
    public synchronized void closed(PodPool pool) {
        String image = pool.config().image();
        if (pools.all().stream().noneMatch(other -> other.config().image().equals(image))) {
            List<Meter> meters = byImage.remove(image);
            if (meters != null) {
                meters.forEach(registry::remove);
            }
        }
    }

    private Meter pods(String image, String state, ToDoubleFunction<PoolMetrics> count) {
        return Gauge.builder(POOL_PODS, this, g -> g.sum(image, count))
                .tag(TAG_IMAGE, image).tag(TAG_STATE, state)
                .description("Pods of the pool by state").register(registry);
    }

    private double sum(String image, ToDoubleFunction<PoolMetrics> count) {
        return pools.all().stream().filter(pool -> pool.config().image().equals(image))
                .mapToDouble(pool -> count.applyAsDouble(pool.metrics())).sum();
    }

    private double degraded(String image) {
        return pools.all().stream().anyMatch(pool -> pool.config().image().equals(image) && pool.degraded()) ? 1 : 0;
    }
}
