package dev.hearth.pool;

/**
 * A pod taken from a {@link PodPool}. The holder must call {@link #release()} exactly once when its
 * runtime ends; the pool then destroys the pod (pods are never reused) and replenishes.
 */
public interface PooledPod {

    Pod pod();

    /** Gives the pod back for destruction. Idempotent: only the first call counts. */
    void release();
}
