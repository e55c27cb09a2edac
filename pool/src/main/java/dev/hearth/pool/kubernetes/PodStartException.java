package dev.hearth.pool.kubernetes;

/** A pod was created but did not become warm: it failed, was deleted, or was not ready within the start timeout. */
public final class PodStartException extends RuntimeException {

    private final boolean refused;

    public PodStartException(String message) {
        this(message, false);
    }

    public PodStartException(String message, Throwable cause) {
        super(message, cause);
        this.refused = false;
    }

    private PodStartException(String message, boolean refused) {
        super(message);
        this.refused = refused;
    }

    /** The kubelet refuses a container of the pod's spec (see {@link PodStates#refusal}): another pod would fare no better. */
    public static PodStartException refused(String podName, String refusal) {
        return new PodStartException(podName + " cannot start, the kubelet refuses its " + refusal, true);
    }

    /** Whether the kubelet refuses the pod's spec: retrying with a new pod of the same template is pointless. */
    public boolean refused() {
        return refused;
    }
}
