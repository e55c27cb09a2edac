package dev.hearth.pool.kubernetes.harness;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateRunning;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodIP;
import io.kubernetes.client.openapi.models.V1PodStatus;

/** The pod status the kubelet reports at each step of a pod's life (container mode), as status changes. */
final class ContainerStatuses {

    private ContainerStatuses() {
    }

    static V1ContainerStatus waiting(String name, String image, String reason, String message) {
        return status(name, image, new V1ContainerState().waiting(new V1ContainerStateWaiting()
                .reason(reason).message(message)));
    }

    static V1ContainerStatus running(String name, String image, OffsetDateTime since) {
        return status(name, image, new V1ContainerState().running(new V1ContainerStateRunning().startedAt(since)));
    }

    /** Reason {@code OOMKilled} when the cgroup's OOM killer struck, {@code Completed} or {@code Error} otherwise. */
    static V1ContainerStatus terminated(String name, String image, int exitCode, boolean oomKilled,
                                        OffsetDateTime started) {
        String reason = oomKilled ? "OOMKilled" : exitCode == 0 ? "Completed" : "Error";
        return status(name, image, new V1ContainerState().terminated(new V1ContainerStateTerminated()
                .exitCode(exitCode)
                .reason(reason)
                .startedAt(started)
                .finishedAt(OffsetDateTime.now())));
    }

    /** Pending, with the pod's address (its sandbox exists) and each container's state so far. */
    static V1PodStatus pending(V1PodStatus status, String ip, List<V1ContainerStatus> init,
                               List<V1ContainerStatus> main, boolean initialized) {
        OffsetDateTime now = OffsetDateTime.now();
        return addressed(status.phase("Pending"), ip)
                .initContainerStatuses(init)
                .containerStatuses(main)
                .conditions(conditions(now, initialized, false));
    }

    /** Running: the main containers started; {@code ready} from the readiness probe. */
    static V1PodStatus running(V1PodStatus status, List<V1ContainerStatus> main, boolean ready) {
        OffsetDateTime now = OffsetDateTime.now();
        List<V1ContainerStatus> readied = main.stream().map(c -> c.ready(ready).started(true)).toList();
        return status.phase("Running")
                .containerStatuses(readied)
                .conditions(conditions(now, true, ready));
    }

    /** Failed or Succeeded (restartPolicy Never: nothing restarts). */
    static V1PodStatus ended(V1PodStatus status, boolean succeeded, List<V1ContainerStatus> init,
                             List<V1ContainerStatus> main, boolean initialized) {
        OffsetDateTime now = OffsetDateTime.now();
        return status.phase(succeeded ? "Succeeded" : "Failed")
                .initContainerStatuses(init)
                .containerStatuses(main)
                .conditions(conditions(now, initialized, false));
    }

    private static V1PodStatus addressed(V1PodStatus status, String ip) {
        return status.podIP(ip)
                .podIPs(List.of(new V1PodIP().ip(ip)))
                .hostIP("127.0.0.1")
                .startTime(status.getStartTime() == null ? OffsetDateTime.now() : status.getStartTime());
    }

    private static List<V1PodCondition> conditions(OffsetDateTime now, boolean initialized, boolean ready) {
        List<V1PodCondition> conditions = new ArrayList<>();
        conditions.add(condition("PodScheduled", true, now));
        conditions.add(condition("Initialized", initialized, now));
        conditions.add(condition("ContainersReady", ready, now));
        conditions.add(condition("Ready", ready, now));
        return conditions;
    }

    private static V1PodCondition condition(String type, boolean value, OffsetDateTime now) {
        return new V1PodCondition().type(type).status(value ? "True" : "False").lastTransitionTime(now);
    }

    private static V1ContainerStatus status(String name, String image, V1ContainerState state) {
        return new V1ContainerStatus()
                .name(name)
                .image(image)
                .imageID("")
                .ready(false)
                .restartCount(0)
                .started(state.getRunning() != null)
                .state(state);
    }
}
