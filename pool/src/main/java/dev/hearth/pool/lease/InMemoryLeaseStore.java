package dev.hearth.pool.lease;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The lease store of a single replica (no Redis configured). Same contract as the Redis store: atomic
 * claims through {@link ConcurrentHashMap#compute}, tokens from one counter.
 */
public final class InMemoryLeaseStore implements LeaseStore {

    private final Map<String, Lease> leases = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();
    private final Clock clock;

    public InMemoryLeaseStore() {
        this(Clock.systemUTC());
    }

    public InMemoryLeaseStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Mono<Lease> claim(String podId, String holder, Duration ttl) {
        return Mono.fromCallable(() -> {
            Instant now = clock.instant();
            Lease[] won = new Lease[1];
            leases.compute(podId, (id, existing) -> {
                if (existing != null && existing.expiresAt().isAfter(now)) {
                    return existing;
                }
                won[0] = new Lease(podId, holder, tokens.incrementAndGet(), now.plus(ttl));
                return won[0];
            });
            return won[0];
        });
    }

    @Override
    public Flux<Lease> renew(Collection<Lease> toRenew, Duration ttl) {
        return Flux.defer(() -> {
            Instant now = clock.instant();
            List<Lease> lost = new ArrayList<>();
            for (Lease lease : toRenew) {
                Lease renewed = leases.computeIfPresent(lease.podId(), (id, existing) ->
                        existing.token() == lease.token() && existing.expiresAt().isAfter(now)
                                ? new Lease(id, existing.holder(), existing.token(), now.plus(ttl))
                                : existing);
                if (renewed == null || renewed.token() != lease.token() || !renewed.expiresAt().isAfter(now)) {
                    lost.add(lease);
                }
            }
            return Flux.fromIterable(lost);
        });
    }

    @Override
    public Mono<Void> release(Lease lease) {
        return Mono.fromRunnable(() -> leases.computeIfPresent(lease.podId(),
                (id, existing) -> existing.token() == lease.token() ? null : existing));
    }

    @Override
    public Mono<Lease> current(String podId) {
        return Mono.fromCallable(() -> {
            Lease lease = leases.get(podId);
            return lease != null && lease.expiresAt().isAfter(clock.instant()) ? lease : null;
        });
    }

    /** Unexpired leases held now; tests use it to prove nothing leaked. */
    public int activeLeases() {
        Instant now = clock.instant();
        return (int) leases.values().stream().filter(lease -> lease.expiresAt().isAfter(now)).count();
    }
}
