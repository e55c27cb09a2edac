package dev.hearth.runner;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.hearth.runner.function.FunctionAdapter;
import dev.hearth.runner.function.FunctionWorkspace;

/**
 * What a runner is: warm, being specialized, serving one function, or running (then done with) one build; and how
 * many executions are in flight. Thread-safe; transitions are compare-and-set so two specialize or build calls
 * cannot both win, and a runner that built is never specialized (its pod is destroyed after the build).
 */
final class RunnerState {

    private enum Phase { WARM, SPECIALIZING, SPECIALIZED, BUILDING, BUILT }

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.WARM);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final int maxConcurrency;
    private volatile FunctionAdapter adapter;
    private volatile FunctionWorkspace workspace;

    RunnerState(int maxConcurrency) {
        this.maxConcurrency = maxConcurrency;
    }

    /** Claims the one specialization of this runner; false when it is (being) specialized already. */
    boolean beginSpecialization() {
        return phase.compareAndSet(Phase.WARM, Phase.SPECIALIZING);
    }

    void specialized(FunctionAdapter loaded, FunctionWorkspace loadedInto) {
        adapter = loaded;
        workspace = loadedInto;
        phase.set(Phase.SPECIALIZED);
    }

    /**
     * A failed specialization (bad archive, start failure) leaves nothing behind, so the runner is warm again
     * and may be specialized by a retry.
     */
    void specializationFailed() {
        phase.compareAndSet(Phase.SPECIALIZING, Phase.WARM);
    }

    boolean isSpecialized() {
        return phase.get() == Phase.SPECIALIZED;
    }

    /** Claims the one build of this runner; false when it is specialized or built already. */
    boolean beginBuild() {
        return phase.compareAndSet(Phase.WARM, Phase.BUILDING);
    }

    /** The build ended (succeeded or not): the runner is done; its artifact may be read. */
    void built() {
        phase.compareAndSet(Phase.BUILDING, Phase.BUILT);
    }

    boolean isBuilt() {
        return phase.get() == Phase.BUILT;
    }

    /** Not warm any more: specialized, building or built. A pod counts as warm only while this is false. */
    boolean isTaken() {
        return phase.get() != Phase.WARM;
    }

    /** The loaded function, or null while not specialized. */
    FunctionAdapter adapter() {
        return phase.get() == Phase.SPECIALIZED ? adapter : null;
    }

    /** Where the loaded function lives (directories, environment), or null while not specialized. */
    FunctionWorkspace workspace() {
        return phase.get() == Phase.SPECIALIZED ? workspace : null;
    }

    /** Takes an execution slot; false when {@code maxConcurrency} are in flight. Pair with {@link #release}. */
    boolean tryAcquire() {
        while (true) {
            int current = inFlight.get();
            if (current >= maxConcurrency) {
                return false;
            }
            if (inFlight.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    void release() {
        inFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }
}
