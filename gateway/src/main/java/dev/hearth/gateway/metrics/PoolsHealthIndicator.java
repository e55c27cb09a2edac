package dev.hearth.gateway.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

import dev.hearth.pool.PodPool;
import dev.hearth.pool.PoolMetrics;
import dev.hearth.pool.Pools;

/**
 * {@code /actuator/health} component {@code pools}: each pool's counts, and status {@code DEGRADED} while any
 * pool cannot create pods (its Kubernetes circuit breaker is open). DEGRADED keeps HTTP 200: the gateway
 * still serves its existing runtimes, so it must not be taken out of a load balancer for it.
 */
@Component
public class PoolsHealthIndicator implements HealthIndicator {

    public static final Status DEGRADED = new Status("DEGRADED", "A pool cannot create pods");

    private final Pools pools;

    public PoolsHealthIndicator(Pools pools) {
        this.pools = pools;
    }

    @Override
    public Health health() {
        boolean degraded = false;
        Map<String, Object> details = new LinkedHashMap<>();
        for (PodPool pool : pools.all()) {
            PoolMetrics metrics = pool.metrics();
            boolean poolDegraded = pool.degraded();
            degraded |= poolDegraded;
            details.put(pool.config().name(), Map.of("warm", metrics.warm(), "claimed", metrics.claimed(),
                    "creating", metrics.creating(), "pending", metrics.pending(), "target", metrics.target(),
                    "degraded", poolDegraded));
        }
        return Health.status(degraded ? DEGRADED : Status.UP).withDetails(details).build();
    }
}
