package dev.hearth.pool.runtime;

/** No runtime of that id exists (never created, deleted, reaped, or its lease expired). */
public final class RuntimeNotFoundException extends RuntimeException {

    public RuntimeNotFoundException(String message) {
        super(message);
    }
}
