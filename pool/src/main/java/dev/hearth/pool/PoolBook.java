package dev.hearth.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.function.BooleanSupplier;

/**
 * The state of one {@link ImagePool} and the one place that decides what to do about it. Every event records
 * its minimal change here (a waiter arrived or left, a pod was created, returned, invalidated or died, a
 * creation failed, the pool closed); then {@link #decide()} looks at the whole state once and answers a
 * {@link PoolPlan}. Nothing here calls out: no driver, no subscriber, no observer, no timer — so every method
 * may hold the lock, and the plan is carried out after it is released.
 *
 * <p>Invariants after {@link #decide()}: {@code warm + claimed + creating <= max}; no waiter is pending while
 * a pod is warm; at most {@code maxPending} waiters pend; with nobody waiting, at most {@code size} pods are warm;
 * once closed, nothing is warm or pending and nothing is created. Thread-safe: every method holds this object's monitor.
 */
final class PoolBook {

    private final PoolConfig config;
    private final BooleanSupplier degraded;
    private final CreationBackoff backoff = new CreationBackoff();

    private final Deque<Pod> warm = new ArrayDeque<>();
    private final Deque<PoolWaiter> pending = new ArrayDeque<>();
    /** Pods to destroy at the next decision: invalidated, dead, or made after the pool closed. */
    private final Deque<Pod> condemned = new ArrayDeque<>();
    private int claimed;
    private int creating;
    /** After a failed creation, nothing is created until the backoff's wait is over. */
    private boolean backingOff;
    private boolean closed;

    /** @param degraded whether the driver cannot create pods now; read under the lock, so it must be quick */
    PoolBook(PoolConfig config, BooleanSupplier degraded) {
        this.config = config;
        this.degraded = degraded;
    }

    /** What became of an arriving waiter. */
    enum Arrival { QUEUED, FULL, CLOSED }

    /**
     * A waiter arrived: queued, unless the pool is closed or the queue is full. Full means {@code maxPending} waiters
     * would still pend once the warm pods served the first ones at the next decision: a burst that arrives before
     * that decision may queue one waiter per warm pod beyond the bound, never more. A refused waiter is not queued;
     * its caller ends it.
     */
    synchronized Arrival arrived(PoolWaiter waiter) {
        if (closed) {
            return Arrival.CLOSED;
        }
        if (pending.size() >= config.maxPending() + warm.size()) {
            return Arrival.FULL;
        }
        pending.addLast(waiter);
        return Arrival.QUEUED;
    }

    /** A waiter timed out or its subscriber left; true only if it was still pending (so this path ends it). */
    synchronized boolean left(PoolWaiter waiter) {
        return pending.remove(waiter);
    }

    synchronized void created(Pod pod) {
        creating--;
        backoff.succeeded();
        warm.addLast(pod);
    }

    /** A creation failed: no creation until {@link #backoffOver()}; returns how long to wait. */
    synchronized Duration creationFailed() {
        creating--;
        backingOff = true;
        return backoff.failed();
    }

    synchronized int failuresInARow() {
        return backoff.failuresInARow();
    }

    synchronized void backoffOver() {
        backingOff = false;
    }

    /** A handed-out pod came back untouched: warm again, first in line. */
    synchronized void returned(Pod pod) {
        claimed--;
        warm.addFirst(pod);
    }

    /** A handed-out pod is to be destroyed. */
    synchronized void invalidated(Pod pod) {
        claimed--;
        condemned.add(pod);
    }

    /** A handed-out pod was let go of; someone else ends it. */
    synchronized void abandoned() {
        claimed--;
    }

    /** The pod with this id died on its own; true if it was warm here (it is then destroyed and replaced). */
    synchronized boolean ended(String podId) {
        for (Iterator<Pod> it = warm.iterator(); it.hasNext(); ) {
            Pod pod = it.next();
            if (pod.id().equals(podId)) {
                it.remove();
                condemned.add(pod);
                return true;
            }
        }
        return false;
    }

    synchronized void close() {
        closed = true;
    }

    synchronized PoolMetrics metrics() {
        return new PoolMetrics(warm.size(), claimed, creating, pending.size(), config.size());
    }

    /**
     * Looks at the whole state once and decides; the only method that hands out pods, refuses waiters already
     * queued, destroys or creates.
     */
    synchronized PoolPlan decide() {
        PoolPlan plan = new PoolPlan();
        plan.destroy.addAll(condemned);
        condemned.clear();
        if (closed) {
            refuseAll(plan, new IllegalStateException("pool '" + config.image() + "' is closed"));
            plan.destroy.addAll(warm);
            warm.clear();
            return plan;
        }
        // ┌─ hand warm pods to waiters, first come first served
        while (!warm.isEmpty() && !pending.isEmpty()) {
            plan.deliveries.add(new PoolPlan.Delivery(pending.pollFirst(), warm.pollFirst()));
            claimed++;
        }
        // ├─ those still waiting would wait for a new pod: none comes while the driver is degraded
        if (!pending.isEmpty() && degraded.getAsBoolean()) {
            refuseAll(plan, new PoolDegradedException(config.image()));
        }
        pending.forEach(PoolWaiter::queued);
        // ├─ nobody waits: warm pods beyond `size` (made for waiters that left, or given back) are destroyed
        if (pending.isEmpty()) {
            while (warm.size() > config.size()) {
                plan.destroy.add(warm.pollLast());
                plan.surplus++;
            }
        }
        // └─ create what serves every waiter and leaves `size` warm, within `max`, unless backing off
        if (!backingOff) {
            int room = config.max() - (warm.size() + claimed + creating);
            int wanted = pending.size() + config.size() - warm.size() - creating;
            plan.create = Math.max(0, Math.min(wanted, room));
            creating += plan.create;
        }
        return plan;
    }

    private void refuseAll(PoolPlan plan, RuntimeException error) {
        while (!pending.isEmpty()) {
            plan.refusals.add(new PoolPlan.Refusal(pending.pollFirst(), error));
        }
    }
}
