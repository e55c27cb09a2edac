package dev.hearth.pool.lease;

import java.time.Duration;
import java.time.Instant;

class InMemoryLeaseStoreTest extends LeaseStoreContract {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryLeaseStore store = new InMemoryLeaseStore(clock);

    @Override
    protected LeaseStore store() {
        return store;
    }

    @Override
    protected void expire(Duration ttl) {
        clock.advance(ttl.plusMillis(1));
    }
}
