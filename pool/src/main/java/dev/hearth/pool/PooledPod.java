package dev.hearth.pool;

/**
 * A pod taken from a {@link PodPool}. The holder must call {@link #release()} exactly once when its
 * runtime ends; the pool then destroys the pod (pods are never reused) and replenishes.
 */
public interface PooledPod {

    Pod pod();

    /** Gives the pod back for destruction. Idempotent: only the first call counts. */
    void release();

    /**
     * Lets go of a pod found to belong to another holder (its lease is someone else's): the pod is not this
     * holder's to destroy where other replicas can hold it. Pools whose pods only this replica can hold have
     * nothing to protect and destroy it, as {@link #release()} does.
     */
    default void relinquish() {
        release();
    }
}
