package dev.hearth.pool.runtime;

/** The function could not be loaded into its pod: bad archive, start command failed, pod lost. */
public final class RuntimeStartException extends RuntimeException {

    public RuntimeStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
