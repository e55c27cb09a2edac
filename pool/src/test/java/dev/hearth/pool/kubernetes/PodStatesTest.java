package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodStatus;

class PodStatesTest {

    @Test
    void refusalNamesTheContainerTheKubeletsReasonAndItsMessage() {
        V1Pod pod = pod(List.of(waiting("hearth-runner-install", "PodInitializing", null)),
                List.of(waiting("runtime", "CreateContainerConfigError", "container has runAsNonRoot and image will run as root")));

        assertThat(PodStates.refusal(pod)).as("refusal")
                .isEqualTo("container runtime: CreateContainerConfigError: container has runAsNonRoot and image will run as root");
    }

    @Test
    void refusalOfAnInitContainerCountsToo() {
        V1Pod pod = pod(List.of(waiting("hearth-runner-install", "InvalidImageName", null)), List.of());

        assertThat(PodStates.refusal(pod)).as("refusal").isEqualTo("container hearth-runner-install: InvalidImageName");
    }

    @Test
    void waitingThatMayPassIsNoRefusal() {
        V1Pod pulling = pod(List.of(), List.of(waiting("runtime", "ImagePullBackOff", "back-off pulling")));
        V1Pod creating = pod(List.of(), List.of(waiting("runtime", "ContainerCreating", null)));

        assertThat(PodStates.refusal(pulling)).as("image pull back-off").isNull();
        assertThat(PodStates.refusal(creating)).as("container creating").isNull();
        assertThat(PodStates.refusal(new V1Pod().metadata(new V1ObjectMeta().name("p")))).as("no status").isNull();
    }

    private static V1Pod pod(List<V1ContainerStatus> init, List<V1ContainerStatus> main) {
        return new V1Pod().metadata(new V1ObjectMeta().name("p"))
                .status(new V1PodStatus().phase("Pending").initContainerStatuses(init).containerStatuses(main));
    }

    private static V1ContainerStatus waiting(String name, String reason, String message) {
        return new V1ContainerStatus().name(name)
                .state(new V1ContainerState().waiting(new V1ContainerStateWaiting().reason(reason).message(message)));
    }
}
