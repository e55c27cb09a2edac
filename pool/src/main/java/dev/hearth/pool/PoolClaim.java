package dev.hearth.pool;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A pod handed out by an {@link ImagePool}. It ends exactly once, whatever ends it: released by its holder
 * (the pod is destroyed), or returned unused when the acquisition it was meant for went away in the same
 * instant (the pod is untouched, so it is warm again).
 */
final class PoolClaim implements PooledPod {

    private final Pod pod;
    private final Consumer<Pod> onRelease;
    private final Consumer<Pod> onReturn;
    private final AtomicBoolean ended = new AtomicBoolean();

    PoolClaim(Pod pod, Consumer<Pod> onRelease, Consumer<Pod> onReturn) {
        this.pod = pod;
        this.onRelease = onRelease;
        this.onReturn = onReturn;
    }

    @Override
    public Pod pod() {
        return pod;
    }

    @Override
    public void release() {
        if (ended.compareAndSet(false, true)) {
            onRelease.accept(pod);
        }
    }

    /** For an acquisition cancelled as the pod reached it; a no-op once released. */
    void returnUnused() {
        if (ended.compareAndSet(false, true)) {
            onReturn.accept(pod);
        }
    }
}
