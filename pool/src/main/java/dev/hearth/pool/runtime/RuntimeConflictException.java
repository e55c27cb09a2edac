package dev.hearth.pool.runtime;

/** A runtime of that id already exists, or is being created. */
public final class RuntimeConflictException extends RuntimeException {

    private final boolean pending;

    public RuntimeConflictException(String runtimeId, boolean pending) {
        super(pending
                ? "A runtime with the same ID is already being created. Attempt a execution soon."
                : "Runtime already exists.");
        this.pending = pending;
    }

    /** True when the existing runtime is still being created. */
    public boolean pending() {
        return pending;
    }
}
