package dev.hearth.pool.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * What every {@link LeaseStore} guarantees. Each implementation's test extends this class; expiry is driven
 * through {@link #expire(Duration)}, which either moves a test clock or waits for real time.
 */
public abstract class LeaseStoreContract {

    protected static final Duration TTL = Duration.ofSeconds(30);

    protected abstract LeaseStore store();

    /** Lets at least {@code ttl} pass for the store. */
    protected abstract void expire(Duration ttl);

    @Test
    void claimReturnsALeaseWithAToken() {
        Lease lease = store().claim("pod-a", "r1", TTL).block();
        assertThat(lease).as("lease").isNotNull();
        assertThat(lease.podId()).isEqualTo("pod-a");
        assertThat(lease.holder()).isEqualTo("r1");
        assertThat(lease.token()).as("token").isPositive();
    }

    @Test
    void secondClaimOfAHeldPodFails() {
        store().claim("pod-b", "r1", TTL).block();
        assertThat(store().claim("pod-b", "r2", TTL).blockOptional()).as("second claim").isEmpty();
        assertThat(store().current("pod-b").block().holder()).as("holder unchanged").isEqualTo("r1");
    }

    @Test
    void tokensOnlyGrow() {
        Lease first = store().claim("pod-c", "r1", TTL).block();
        store().release(first).block();
        Lease second = store().claim("pod-c", "r2", TTL).block();
        Lease other = store().claim("pod-d", "r1", TTL).block();
        assertThat(second.token()).as("re-claim token").isGreaterThan(first.token());
        assertThat(other.token()).as("token of another pod").isGreaterThan(second.token());
    }

    @Test
    void releaseFreesThePodAndIsIdempotent() {
        Lease lease = store().claim("pod-e", "r1", TTL).block();
        store().release(lease).block();
        store().release(lease).block();
        assertThat(store().current("pod-e").blockOptional()).as("no current lease").isEmpty();
        assertThat(store().claim("pod-e", "r2", TTL).blockOptional()).as("claimable again").isPresent();
    }

    @Test
    void staleReleaseDoesNotEndANewerLease() {
        Lease old = store().claim("pod-f", "r1", TTL).block();
        store().release(old).block();
        Lease newer = store().claim("pod-f", "r2", TTL).block();
        store().release(old).block();
        assertThat(store().current("pod-f").block()).as("newer lease survives a stale release").isEqualTo(newer);
    }

    @Test
    void expiredLeaseMakesThePodClaimableAndCannotBeRenewed() {
        Lease lease = store().claim("pod-g", "r1", shortTtl()).block();
        expire(shortTtl());
        assertThat(store().current("pod-g").blockOptional()).as("expired lease is not current").isEmpty();
        List<Lease> lost = store().renew(List.of(lease), TTL).collectList().block();
        assertThat(lost).as("renewal of an expired lease reports it lost").containsExactly(lease);
        assertThat(store().claim("pod-g", "r2", TTL).blockOptional()).as("claimable after expiry").isPresent();
    }

    @Test
    void renewKeepsLeasesAliveInOneBatch() {
        Lease a = store().claim("pod-h", "r1", shortTtl()).block();
        Lease b = store().claim("pod-i", "r1", shortTtl()).block();
        List<Lease> lost = store().renew(List.of(a, b), TTL).collectList().block();
        assertThat(lost).as("nothing lost").isEmpty();
        expire(shortTtl());
        assertThat(store().current("pod-h").blockOptional()).as("renewed lease a alive").isPresent();
        assertThat(store().current("pod-i").blockOptional()).as("renewed lease b alive").isPresent();
    }

    @Test
    void renewReportsReleasedLeasesLost() {
        Lease a = store().claim("pod-j", "r1", TTL).block();
        store().release(a).block();
        assertThat(store().renew(List.of(a), TTL).collectList().block()).containsExactly(a);
    }

    @Test
    void concurrentClaimsOfOnePodHaveExactlyOneWinner() {
        Set<String> winners = ConcurrentHashMap.newKeySet();
        Flux.range(0, 200)
                .parallel(8)
                .runOn(Schedulers.parallel())
                .flatMap(i -> store().claim("pod-k", "r" + i, TTL).map(lease -> lease.holder()))
                .doOnNext(winners::add)
                .sequential()
                .blockLast(Duration.ofSeconds(30));
        assertThat(winners).as("winners of one pod").hasSize(1);
    }

    /** A TTL short enough to wait out with real time. */
    protected Duration shortTtl() {
        return Duration.ofMillis(300);
    }
}
