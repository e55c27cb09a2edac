package dev.hearth.pool.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.hearth.pool.StoreUnavailableException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A remote registry behind a circuit breaker. While the store keeps failing (not answering, timing out), every
 * call fails at once with {@link StoreUnavailableException} instead of costing a command timeout each: without it,
 * every execution of a runtime held here would wait a full timeout before falling back to memory, for the whole
 * outage. After {@code openFor} the breaker lets one call probe the store, and closes when it answers.
 *
 * <p>Only {@link StoreUnavailableException} counts as a failure: a bug (a script error) is not the store being
 * down. Breaker settings: it opens when half of the last 5 calls failed (at least 2 calls seen).
 */
public final class GuardedRuntimeRegistry implements RuntimeRegistry {

    private final RuntimeRegistry store;
    private final CircuitBreaker breaker;

    public GuardedRuntimeRegistry(RuntimeRegistry store, Duration openFor) {
        this.store = store;
        this.breaker = CircuitBreaker.of("runtime-registry", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(5)
                .minimumNumberOfCalls(2)
                .failureRateThreshold(50)
                .waitDurationInOpenState(openFor)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordExceptions(StoreUnavailableException.class)
                .build());
    }

    /** The breaker, for metrics and health. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    @Override
    public Mono<RuntimeRecord> reserve(RuntimeRecord record) {
        return guard(store.reserve(record), "reservation of runtime '" + record.runtimeId() + "'");
    }

    @Override
    public Mono<Boolean> update(RuntimeRecord record) {
        return guard(store.update(record), "update of runtime '" + record.runtimeId() + "'");
    }

    @Override
    public Mono<RuntimeRecord> get(String runtimeId) {
        return guard(store.get(runtimeId), "lookup of runtime '" + runtimeId + "'");
    }

    @Override
    public Flux<RuntimeRecord> list() {
        return store.list()
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorMap(CallNotPermittedException.class, open -> unavailable("listing of runtimes", open));
    }

    @Override
    public Mono<RuntimeRecord> remove(String runtimeId) {
        return guard(store.remove(runtimeId), "removal of runtime '" + runtimeId + "'");
    }

    @Override
    public Mono<Void> touch(Map<String, Instant> activity) {
        return guard(store.touch(activity), "recording activity of " + activity.size() + " runtimes");
    }

    /** Not guarded: an announcement that fails is answered by the caller's fallback (it releases the lease itself). */
    @Override
    public Mono<Boolean> announceRemoval(RuntimeRecord removed) {
        return store.announceRemoval(removed);
    }

    @Override
    public Flux<Removal> announcedRemovals() {
        return store.announcedRemovals();
    }

    @Override
    public boolean hearsRemovals() {
        return store.hearsRemovals();
    }

    private <T> Mono<T> guard(Mono<T> call, String operation) {
        return call.transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorMap(CallNotPermittedException.class, open -> unavailable(operation, open));
    }

    private static StoreUnavailableException unavailable(String operation, CallNotPermittedException open) {
        return new StoreUnavailableException(operation + " (not tried: the store failed just before)", open);
    }
}
