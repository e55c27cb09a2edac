package dev.hearth.pool.lease;

import java.time.Duration;
import java.util.Collection;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where leases live: in memory for one replica, in Redis for several. Every method is lazy and atomic
 * with respect to the others; implementations pass {@code LeaseStoreContract}.
 */
public interface LeaseStore {

    /**
     * Claims the pod for {@code holder} for {@code ttl}, in one atomic step. Emits the new lease, with a
     * token larger than any issued before; completes empty when an unexpired lease of anyone exists.
     */
    Mono<Lease> claim(String podId, String holder, Duration ttl);

    /**
     * Extends the given leases by {@code ttl} from now, in one batch. A lease is extended only if it is
     * still the current lease of its pod (same token). Emits the leases that could NOT be renewed: they
     * expired or were released, and their holder must stop using the pod.
     */
    Flux<Lease> renew(Collection<Lease> leases, Duration ttl);

    /** Ends the lease if it is still current (same token). Idempotent. */
    Mono<Void> release(Lease lease);

    /** The current unexpired lease of the pod, if any. */
    Mono<Lease> current(String podId);
}
