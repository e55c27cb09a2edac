package dev.hearth.pool.kubernetes;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import reactor.core.publisher.Mono;

/**
 * The circuit breaker around each pool's pod creations (DESIGN.md, "Observability and resilience"): while a pool's
 * breaker is open its creations fail fast with {@code CallNotPermittedException} and the pool is degraded. Named
 * {@code pool:<image>}, created on a pool's first creation. Thread-safe.
 */
final class CreationBreakers {

    private final CircuitBreakerRegistry registry;

    CreationBreakers(KubernetesDriverConfig.Breaker settings) {
        this.registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRateThreshold())
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(settings.minimumNumberOfCalls())
                .waitDurationInOpenState(settings.waitInOpenState())
                // Half-open by itself after the wait, so that a pool failing acquisitions fast still recovers.
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .permittedNumberOfCallsInHalfOpenState(settings.permittedCallsInHalfOpenState())
                .build());
    }

    /** For metrics: bind with resilience4j-micrometer; breakers created later are bound as they appear. */
    CircuitBreakerRegistry registry() {
        return registry;
    }

    /** {@code creation} guarded by the pool's breaker. */
    <T> Mono<T> guarded(String image, Mono<T> creation) {
        return creation.transformDeferred(CircuitBreakerOperator.of(breaker(image)));
    }

    /**
     * Whether the pool's breaker is open: the pool is degraded. Half-open is not: its probe creations must be let
     * through for the pool to recover.
     */
    boolean open(String image) {
        CircuitBreaker.State state = breaker(image).getState();
        return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
    }

    private CircuitBreaker breaker(String image) {
        return registry.circuitBreaker("pool:" + image);
    }
}
