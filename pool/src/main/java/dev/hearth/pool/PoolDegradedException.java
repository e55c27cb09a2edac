package dev.hearth.pool;

/** The pool has no warm pod and its driver cannot create one now (e.g. the Kubernetes API is failing). */
public final class PoolDegradedException extends RuntimeException {

    public PoolDegradedException(String image) {
        super("Pool for image '" + image + "' is degraded: no warm pod is left and new pods cannot be created "
                + "right now (the cluster API is failing). Retry later.");
    }

    /** The pool's pods cannot start for {@code reason}, which says why (the driver's words). */
    public PoolDegradedException(String image, String reason) {
        super("Pool for image '" + image + "' is degraded: its pods cannot start: " + reason);
    }
}
