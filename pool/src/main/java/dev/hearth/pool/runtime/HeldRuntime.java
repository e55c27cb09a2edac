package dev.hearth.pool.runtime;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.hearth.pool.PooledPod;
import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.runner.client.RunnerTarget;

/**
 * A runtime whose pod this replica holds: the claim on the pod, its lease, and the executions in flight.
 * Ended exactly once, whatever ends it (delete, idle, lost lease, shutdown).
 */
final class HeldRuntime {

    private final RuntimeRecord record;
    private final PooledPod pod;
    private volatile Lease lease;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Instant lastActivity;
    private final CreationTimings timings;

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

    CreationTimings timings() {
        return timings;
    }

    PooledPod pod() {
        return pod;
    }

    Lease lease() {
        return lease;
    }

    void lease(Lease renewed) {
        this.lease = renewed;
    }

    RunnerTarget target() {
        return new RunnerTarget(record.host(), record.port(), record.secret(), record.leaseToken());
    }

    void executionStarted(Instant now) {
        inFlight.incrementAndGet();
        lastActivity = now;
    }

    void executionEnded(Instant now) {
        inFlight.decrementAndGet();
        lastActivity = now;
    }

    int inFlight() {
        return inFlight.get();
    }

    Instant lastActivity() {
        return lastActivity;
    }

    /** True for the one caller that gets to end this runtime. */
    boolean markEnded() {
        return ended.compareAndSet(false, true);
    }
}
