package dev.hearth.pool;

import java.util.ArrayList;
import java.util.List;

/**
 * What one {@link PoolBook#decide()} resolved to do, carried out by {@link ImagePool} outside the book's lock:
 * pods handed to waiters, waiters refused, pods destroyed, and how many pods to create. Built under the lock
 * and only read afterwards, by one thread.
 */
final class PoolPlan {

    record Delivery(PoolWaiter waiter, Pod pod) {
    }

    record Refusal(PoolWaiter waiter, RuntimeException error) {
    }

    final List<Delivery> deliveries = new ArrayList<>();
    final List<Refusal> refusals = new ArrayList<>();
    final List<Pod> destroy = new ArrayList<>();
    int create;
    /** How many of {@link #destroy} are warm pods beyond the pool's size. */
    int surplus;

    boolean isEmpty() {
        return deliveries.isEmpty() && refusals.isEmpty() && destroy.isEmpty() && create == 0;
    }
}
