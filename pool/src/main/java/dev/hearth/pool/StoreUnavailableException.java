package dev.hearth.pool;

/**
 * The shared state store (Redis) could not answer in time: not connected, timed out, loading, read-only
 * replica, out of memory. Callers fail closed on it (a new claim becomes a 503); the message names the
 * operation and the transport's reason, never a runtime's secret.
 */
public final class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String operation, Throwable cause) {
        super("Shared state store (Redis) is unavailable: " + operation + " failed: " + reason(cause), cause);
    }

    private static String reason(Throwable cause) {
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
