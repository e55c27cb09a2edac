package dev.hearth.pool.runtime;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.hearth.pool.PooledPod;
import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.registry.RuntimeRecord;

/**
 * A runtime whose pod this replica holds: the pooled pod, its lease, and the executions in flight. Ended
 * exactly once, whatever ends it (delete, idle, lost lease, dead pod, shutdown): {@link #markEnded()} decides
 * which caller does it. Thread-safe.
 */
final class HeldRuntime {

    private final RuntimeRecord record;
    private final PooledPod pod;
    private volatile CreationTimings timings;
    private volatile Lease lease;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Instant lastActivity;

    HeldRuntime(RuntimeRecord record, PooledPod pod, Lease lease, CreationTimings timings) {
        this.record = record;
        this.pod = pod;
        this.lease = lease;
        this.timings = timings;
        this.lastActivity = record.updated();
    }

    RuntimeRecord record() {
        return record;
    }

    String runtimeId() {
        return record.runtimeId();
    }

    CreationTimings timings() {
        return timings;
    }

    /** Completes the creation's timings once its last phase (the registry write) is over; by its creator only. */
    void creationTimed(CreationTimings complete) {
        this.timings = complete;
    }

    PooledPod pod() {
        return pod;
    }

    Lease lease() {
        return lease;
    }

    /** Whether the lease, as this replica last renewed it, still runs at {@code now}. */
    boolean leaseCurrentAt(Instant now) {
        return lease.expiresAt().isAfter(now);
    }

    /** The lease was extended to {@code until}. */
    void renewed(Instant until) {
        Lease current = lease;
        lease = new Lease(current.podId(), current.holder(), current.token(), until);
    }

    void executionStarted(Instant now) {
        inFlight.incrementAndGet();
        lastActivity = now;
    }

    void executionEnded(Instant now) {
        inFlight.decrementAndGet();
        lastActivity = now;
    }

    /** No execution in flight and none since {@code cutoff}. */
    boolean idleSince(Instant cutoff) {
        return inFlight.get() == 0 && lastActivity.isBefore(cutoff);
    }

    /** True for the one caller that gets to end this runtime. */
    boolean markEnded() {
        return ended.compareAndSet(false, true);
    }
}
