package dev.hearth.pool.kubernetes;

/** A pod was created but did not become warm: it failed, was deleted, or was not ready within the start timeout. */
public final class PodStartException extends RuntimeException {

    public PodStartException(String message) {
        super(message);
    }

    public PodStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
