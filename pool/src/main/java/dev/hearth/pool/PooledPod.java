package dev.hearth.pool;

/**
 * A pod handed out by {@link PodPool#acquire()} (reactor-pool's {@code PooledRef}). Its holder ends it exactly
 * once, by one of three calls; whichever comes first counts and the others are no-ops, so an end raced by
 * another (a runtime deleted while its creation fails) cannot destroy or count a pod twice.
 *
 * <ul>
 *   <li>{@link #release()}: the pod is untouched (nothing was loaded into it), so it goes back to the pool
 *       warm — e.g. its acquisition was cancelled at the instant it was handed over.</li>
 *   <li>{@link #invalidate()}: the pod is destroyed — its runtime ended, or loading the function failed.
 *       A pod that served a runtime is never handed out again.</li>
 *   <li>{@link #abandon()}: the pod turned out to be leased by another holder; it is theirs to end, so this
 *       holder lets go of it without destroying it.</li>
 * </ul>
 */
public interface PooledPod {

    Pod pod();

    /** Back to the pool, warm. Only for a pod nothing was done to. */
    void release();

    /** Destroys the pod. */
    void invalidate();

    /** Lets go without destroying: the pod belongs to another lease holder. */
    void abandon();
}
