package dev.hearth.pool.kubernetes.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import dev.hearth.runner.testing.docker.LocalImages;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Capabilities;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1EmptyDirVolumeSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1ObjectFieldSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;

/**
 * The simulated kubelet's container mode on its own, with pods written here on the local busybox (which runs as root:
 * no {@code USER}): what it makes of a pod spec, and what it reports back. Needs the engine {@code DOCKER_HOST} names
 * and {@code docker/bases.sh}'s images; fails, never skips, without them.
 */
class ContainerModeIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final DockerClient DOCKER = requireBusybox();

    @RegisterExtension
    static final KubernetesHarness HARNESS = KubernetesHarness.builder().namespace("modes").containers().build();

    @AfterAll
    static void noContainerLeft() {
        String label = HARNESS.kubelet().containerLabelValue();
        HARNESS.close();
        assertThat(containers(label)).as("containers of the harness after it closed").isEmpty();
    }

    @Test
    void initContainersRunFirstWithTheirEnvAndShareEmptyDirsWithTheMainContainer() throws Exception {
        HARNESS.core().createNamespacedSecret("modes", new V1Secret().apiVersion("v1").kind("Secret")
                .metadata(new V1ObjectMeta().name("token")).data(Map.of("value", "s3cret".getBytes(StandardCharsets.UTF_8))))
                .execute();
        V1Container init = busybox("write").command(List.of("sh", "-c"))
                .args(List.of("echo \"$POD $IP $TOKEN $GREETING\" > /shared/note"))
                .env(List.of(
                        field("POD", "metadata.name"),
                        field("IP", "status.podIP"),
                        new V1EnvVar().name("TOKEN").valueFrom(new V1EnvVarSource()
                                .secretKeyRef(new V1SecretKeySelector().name("token").key("value"))),
                        new V1EnvVar().name("NAME").value("world"),
                        new V1EnvVar().name("GREETING").value("hello-$(NAME)")))
                .volumeMounts(List.of(new V1VolumeMount().name("shared").mountPath("/shared")));
        V1Container main = busybox("main").command(List.of("sh", "-c"))
                .args(List.of("cat note; pwd; exit 3"))
                .workingDir("/shared")
                .volumeMounts(List.of(new V1VolumeMount().name("shared").mountPath("/shared").readOnly(true)));
        create("shares", spec(List.of(init), main).volumes(List.of(new V1Volume().name("shared")
                .emptyDir(new V1EmptyDirVolumeSource()))));

        V1Pod ended = awaitPhase("shares", "Failed");
        String ip = ended.getStatus().getPodIP();
        assertThat(ended.getStatus().getInitContainerStatuses()).as("init container status").singleElement()
                .satisfies(s -> assertThat(s.getState().getTerminated().getExitCode()).isZero());
        assertThat(ended.getStatus().getContainerStatuses()).as("main container status").singleElement()
                .satisfies(s -> {
                    assertThat(s.getState().getTerminated().getExitCode()).as("exit code").isEqualTo(3);
                    assertThat(s.getState().getTerminated().getReason()).as("reason").isEqualTo("Error");
                });
        assertThat(ip).as("pod IP").matches("127\\.0\\.\\d+\\.\\d+");
        assertThat(logs("shares", "main")).as("the main container's output")
                .isEqualTo("shares " + ip + " s3cret hello-world\n/shared\n");
        delete("shares");
    }

    @Test
    void runAsNonRootIsCheckedAgainstTheImagesUserUnlessRunAsUserIsSet() throws Exception {
        create("root-image", spec(List.of(), busybox("main").command(List.of("true")))
                .securityContext(new V1PodSecurityContext().runAsNonRoot(true)));
        create("root-user", spec(List.of(), busybox("main").command(List.of("true")))
                .securityContext(new V1PodSecurityContext().runAsNonRoot(true).runAsUser(0L)));
        create("other-user", spec(List.of(), busybox("main").command(List.of("sh", "-c", "test $(id -u) = 10001")))
                .securityContext(new V1PodSecurityContext().runAsNonRoot(true).runAsUser(10001L)));

        assertThat(awaitWaiting("root-image").getMessage()).as("root image")
                .startsWith("container has runAsNonRoot and image will run as root (pod: \"root-image_modes(");
        assertThat(awaitWaiting("root-user").getMessage()).as("runAsUser 0")
                .startsWith("container's runAsUser breaks non-root policy");
        assertThat(awaitPhase("other-user", "Succeeded").getStatus().getContainerStatuses().get(0).getState()
                .getTerminated().getReason()).as("runAsUser 10001 on the root image").isEqualTo("Completed");
        assertThat(HARNESS.core().readNamespacedPod("root-image", "modes").execute().getStatus().getPhase())
                .as("a refused pod stays Pending").isEqualTo("Pending");
        List.of("root-image", "root-user", "other-user").forEach(ContainerModeIT::delete);
    }

    @Test
    void securityContextAndLimitsReachTheContainerAndDeletionRemovesIt() {
        V1Container main = busybox("main").command(List.of("sleep", "600"))
                .securityContext(new V1SecurityContext()
                        .runAsUser(10001L)
                        .runAsGroup(10001L)
                        .readOnlyRootFilesystem(true)
                        .allowPrivilegeEscalation(false)
                        .capabilities(new V1Capabilities().drop(List.of("ALL"))))
                .resources(new V1ResourceRequirements().limits(Map.of(
                        "memory", Quantity.fromString("64Mi"), "cpu", Quantity.fromString("500m"))));
        create("locked", spec(List.of(), main));

        awaitPhase("locked", "Running");
        var host = DOCKER.inspectContainerCmd(containersOf("locked").get(0).getId()).exec();
        assertThat(host.getConfig().getUser()).as("user").isEqualTo("10001:10001");
        assertThat(host.getHostConfig().getReadonlyRootfs()).as("read-only root").isTrue();
        assertThat(host.getHostConfig().getSecurityOpts()).as("security options").containsExactly("no-new-privileges");
        assertThat(host.getHostConfig().getCapDrop()).as("dropped capabilities").hasSize(1);
        assertThat(host.getHostConfig().getMemory()).as("memory").isEqualTo(64L << 20);
        assertThat(host.getHostConfig().getCpuQuota()).as("cpu quota of 500m per 100 ms").isEqualTo(50_000L);
        assertThat(host.getHostConfig().getNetworkMode()).as("network").isEqualTo("host");

        delete("locked");
        await("the deleted pod's containers are removed").atMost(WAIT).until(() -> containersOf("locked").isEmpty());
    }

    private static V1Container busybox(String name) {
        return new V1Container().name(name).image(LocalImages.BUSYBOX);
    }

    private static V1EnvVar field(String name, String path) {
        return new V1EnvVar().name(name).valueFrom(new V1EnvVarSource().fieldRef(new V1ObjectFieldSelector()
                .fieldPath(path)));
    }

    private static V1PodSpec spec(List<V1Container> inits, V1Container main) {
        return new V1PodSpec().restartPolicy("Never").initContainers(inits).containers(List.of(main));
    }

    private static void create(String name, V1PodSpec spec) {
        try {
            HARNESS.core().createNamespacedPod("modes", new V1Pod().apiVersion("v1").kind("Pod")
                    .metadata(new V1ObjectMeta().name(name)).spec(spec)).execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static V1Pod awaitPhase(String name, String phase) {
        return await(name + " " + phase).atMost(WAIT).until(() -> read(name),
                pod -> pod.getStatus() != null && phase.equals(pod.getStatus().getPhase()));
    }

    private static io.kubernetes.client.openapi.models.V1ContainerStateWaiting awaitWaiting(String name) {
        await(name + " waiting with CreateContainerConfigError").atMost(WAIT).until(() -> {
            V1Pod pod = read(name);
            return pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null
                    && "CreateContainerConfigError".equals(waiting(pod).getReason());
        });
        return waiting(read(name));
    }

    private static io.kubernetes.client.openapi.models.V1ContainerStateWaiting waiting(V1Pod pod) {
        V1ContainerState state = pod.getStatus().getContainerStatuses().get(0).getState();
        return state.getWaiting() == null ? new io.kubernetes.client.openapi.models.V1ContainerStateWaiting() : state.getWaiting();
    }

    private static V1Pod read(String name) {
        try {
            return HARNESS.core().readNamespacedPod(name, "modes").execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void delete(String name) {
        try {
            HARNESS.core().deleteNamespacedPod(name, "modes").execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String logs(String pod, String container) throws InterruptedException {
        String id = containersOf(pod).stream().filter(c -> c.getNames()[0].endsWith("-" + container))
                .findFirst().orElseThrow().getId();
        StringBuilder text = new StringBuilder();
        DOCKER.logContainerCmd(id).withStdOut(true).withStdErr(true).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
            }
        }).awaitCompletion(10, TimeUnit.SECONDS);
        return text.toString();
    }

    private static List<Container> containersOf(String pod) {
        return DOCKER.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(
                ContainerPods.HARNESS_LABEL, HARNESS.kubelet().containerLabelValue(), ContainerPods.POD_LABEL, pod))
                .exec();
    }

    private static List<Container> containers(String label) {
        return DOCKER.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(ContainerPods.HARNESS_LABEL, label)).exec();
    }

    private static DockerClient requireBusybox() {
        LocalImages.requireBase(LocalImages.BUSYBOX);
        return LocalImages.requireEngine();
    }
}
