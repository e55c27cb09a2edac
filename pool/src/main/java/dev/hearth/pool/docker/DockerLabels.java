package dev.hearth.pool.docker;

/**
 * Label keys Hearth puts on its containers and volumes, in one place so that templates, the start sweep, the event
 * filter and tests agree. Docker labels cannot change after creation: {@link #STATE} tells how a container was born,
 * not whether it has been claimed since (that lives in the gateway's memory, see {@link DockerPodDriver}).
 */
public final class DockerLabels {

    /** The installation ({@code hearth.docker.installation}); the start sweep and the event filter select on it. */
    public static final String INSTALLATION = "dev.hearth.installation";
    /** The image of the pool the container belongs to, as configured (label values may hold any string). */
    public static final String POOL = "dev.hearth.pool";
    /** {@link #STATE_WARM} (a pool's warm pod) or {@link #STATE_CLAIMED} (a size-0 pool's pod, made for one runtime). */
    public static final String STATE = "dev.hearth.state";
    /** Hearth's id of the pod, which is also the container's name. */
    public static final String POD_ID = "dev.hearth.pod-id";
    /**
     * {@link #ROLE_POD}, {@link #ROLE_RUNNER_INSTALL} (the short-lived container filling the runner volume) or
     * {@link #ROLE_RUNNER_VOLUME}.
     */
    public static final String ROLE = "dev.hearth.role";

    public static final String STATE_WARM = "warm";
    public static final String STATE_CLAIMED = "claimed";
    public static final String ROLE_POD = "pod";
    public static final String ROLE_RUNNER_INSTALL = "runner-install";
    /** The runner volume's role. */
    public static final String ROLE_RUNNER_VOLUME = "runner-volume";

    private DockerLabels() {
    }
}
