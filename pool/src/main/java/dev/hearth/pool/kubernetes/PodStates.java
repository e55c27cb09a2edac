package dev.hearth.pool.kubernetes;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;

/** Reading a pod's state; null-safe, since the API leaves most fields out until they are set. */
public final class PodStates {

    /**
     * Waiting reasons with which the kubelet refuses a container of the pod's spec as written: it keeps retrying,
     * but the same spec is refused again (a root image under {@code runAsNonRoot}, a malformed image name, an image
     * it may not pull). {@code CreateContainerConfigError} also covers a missing Secret, which is final here too: a
     * pod's Secret is created before the pod ({@link SecretFirstCreation}). Image pull errors are not listed: a
     * registry may recover.
     */
    static final Set<String> REFUSALS = Set.of("CreateContainerConfigError", "InvalidImageName", "ErrImageNeverPull");

    private PodStates() {
    }

    public static String label(V1Pod pod, String key) {
        Map<String, String> labels = pod.getMetadata() == null ? null : pod.getMetadata().getLabels();
        return labels == null ? null : labels.get(key);
    }

    public static String name(V1Pod pod) {
        return pod.getMetadata().getName();
    }

    public static String phase(V1Pod pod) {
        V1PodStatus status = pod.getStatus();
        return status == null ? null : status.getPhase();
    }

    /** Failed or Succeeded: its containers have ended and will not restart ({@code restartPolicy: Never}). */
    public static boolean ended(V1Pod pod) {
        String phase = phase(pod);
        return "Failed".equals(phase) || "Succeeded".equals(phase);
    }

    public static boolean terminating(V1Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    /** Running, condition {@code Ready=True} and an IP: the kubelet's readiness probe passes. */
    public static boolean ready(V1Pod pod) {
        V1PodStatus status = pod.getStatus();
        if (status == null || !"Running".equals(status.getPhase()) || status.getPodIP() == null
                || status.getConditions() == null || terminating(pod)) {
            return false;
        }
        return status.getConditions().stream()
                .anyMatch(PodStates::readyTrue);
    }

    /**
     * Why the kubelet refuses to start one of the pod's containers, init containers included ({@link #REFUSALS}):
     * {@code "container <name>: <reason>: <message>"}; null when none is refused.
     */
    public static String refusal(V1Pod pod) {
        V1PodStatus status = pod.getStatus();
        if (status == null) {
            return null;
        }
        return Stream.concat(statuses(status.getInitContainerStatuses()), statuses(status.getContainerStatuses()))
                .filter(container -> container.getState() != null && container.getState().getWaiting() != null
                        && REFUSALS.contains(container.getState().getWaiting().getReason()))
                .map(container -> {
                    V1ContainerStateWaiting waiting = container.getState().getWaiting();
                    return "container " + container.getName() + ": " + waiting.getReason()
                            + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage());
                })
                .findFirst()
                .orElse(null);
    }

    private static Stream<V1ContainerStatus> statuses(List<V1ContainerStatus> statuses) {
        return statuses == null ? Stream.empty() : statuses.stream();
    }

    public static String podIp(V1Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    }

    /** When the API server created it; the start of its "unready for too long" clock. */
    public static Instant created(V1Pod pod) {
        return pod.getMetadata().getCreationTimestamp() == null
                ? Instant.now()
                : pod.getMetadata().getCreationTimestamp().toInstant();
    }

    /** When its Ready condition last changed (for a Ready pod: since when it is), else when it was created. */
    public static Instant readySince(V1Pod pod) {
        List<V1PodCondition> conditions = pod.getStatus() == null ? null : pod.getStatus().getConditions();
        return conditions == null ? created(pod) : conditions.stream()
                .filter(condition -> "Ready".equals(condition.getType()) && condition.getLastTransitionTime() != null)
                .map(condition -> condition.getLastTransitionTime().toInstant())
                .findFirst()
                .orElse(created(pod));
    }

    private static boolean readyTrue(V1PodCondition condition) {
        return "Ready".equals(condition.getType()) && "True".equals(condition.getStatus());
    }
}
