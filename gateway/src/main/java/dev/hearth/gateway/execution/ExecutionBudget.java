package dev.hearth.gateway.execution;

import java.time.Duration;

/**
 * The one timeout an Open Runtimes execution has (§1.5): waiting for the runtime and running the function
 * share it. Starts when the request arrives.
 */
final class ExecutionBudget {

    private final long deadlineNanos;

    ExecutionBudget(Duration total) {
        this.deadlineNanos = System.nanoTime() + total.toNanos();
    }

    Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    boolean exhausted() {
        return deadlineNanos - System.nanoTime() <= 0;
    }
}
