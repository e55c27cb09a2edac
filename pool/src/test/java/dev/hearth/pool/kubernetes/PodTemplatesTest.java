package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.hearth.pool.PoolConfig;
import dev.hearth.runner.RunnerConfig;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1VolumeMount;

class PodTemplatesTest {

    static final String IMAGE = "ghcr.io/acme/python:3.12-slim";
    static final PoolConfig POOL = new PoolConfig(IMAGE, 2, 4, 4, Duration.ofSeconds(5), "exec", "python3",
            Duration.ofSeconds(10));
    static final KubernetesDriverConfig CONFIG = KubernetesDriverConfig.of("hearth")
            .withOwner(new KubernetesDriverConfig.Owner("apps/v1", "Deployment", "hearth-gateway", "uid-1"))
            .withLabels(Map.of("app.kubernetes.io/instance", "prod"));
    static final KubernetesPoolSpec SPEC = KubernetesPoolSpec.builder("ghcr.io/hearth/runner:1.0")
            .runnerPort(8080)
            .request("cpu", "250m").request("memory", "128Mi")
            .limit("cpu", "1").limit("memory", "256Mi")
            .nodeSelector("hearth.dev/sandbox", "true")
            .toleration(new KubernetesPoolSpec.Toleration("sandbox", "Exists", null, "NoSchedule", null))
            .runtimeClassName("gvisor")
            .imagePullSecret("regcred")
            .env("LANG", "C.UTF-8")
            .build();

    final PodTemplates templates = new PodTemplates(CONFIG);

    @Test
    void podMeetsTheSecurityRequirements() {
        V1PodSpec spec = templates.pod("hearth-p-1", POOL, SPEC, Labels.STATE_WARM).getSpec();

        assertThat(spec.getAutomountServiceAccountToken()).as("automountServiceAccountToken").isFalse();
        assertThat(spec.getRestartPolicy()).as("restartPolicy").isEqualTo("Never");
        assertThat(spec.getSecurityContext().getRunAsNonRoot()).as("pod runAsNonRoot").isTrue();
        assertThat(spec.getSecurityContext().getRunAsUser()).as("pod runAsUser").isEqualTo(10001L);
        assertThat(spec.getSecurityContext().getSeccompProfile().getType()).as("pod seccomp").isEqualTo("RuntimeDefault");
        for (V1Container container : List.of(spec.getInitContainers().get(0), spec.getContainers().get(0))) {
            V1SecurityContext security = container.getSecurityContext();
            String name = container.getName();
            assertThat(security.getRunAsNonRoot()).as(name + " runAsNonRoot").isTrue();
            assertThat(security.getRunAsUser()).as(name + " runAsUser").isEqualTo(10001L);
            assertThat(security.getAllowPrivilegeEscalation()).as(name + " allowPrivilegeEscalation").isFalse();
            assertThat(security.getPrivileged()).as(name + " privileged").isFalse();
            assertThat(security.getCapabilities().getDrop()).as(name + " capabilities dropped").containsExactly("ALL");
            assertThat(security.getCapabilities().getAdd()).as(name + " capabilities added").isNullOrEmpty();
            assertThat(security.getSeccompProfile().getType()).as(name + " seccomp").isEqualTo("RuntimeDefault");
            assertThat(security.getReadOnlyRootFilesystem()).as(name + " readOnlyRootFilesystem").isTrue();
        }
    }

    @Test
    void runtimeContainerRunsThePoolImageUnchangedWithTheRunnerAsCommand() {
        V1Container runtime = templates.pod("hearth-p-1", POOL, SPEC, Labels.STATE_WARM)
                .getSpec().getContainers().get(0);

        assertThat(runtime.getImage()).as("image").isEqualTo(IMAGE);
        assertThat(runtime.getCommand()).as("command").containsExactly("/opt/hearth/runner");
        assertThat(runtime.getArgs()).as("args").isNullOrEmpty();
        assertThat(runtime.getEnv()).as("env").extracting(V1EnvVar::getName, V1EnvVar::getValue)
                .contains(org.assertj.core.groups.Tuple.tuple(RunnerConfig.PORT_ENV, "8080"),
                        org.assertj.core.groups.Tuple.tuple("LANG", "C.UTF-8"),
                        org.assertj.core.groups.Tuple.tuple(RunnerConfig.CODE_DIR_ENV, "/mnt/code"),
                        org.assertj.core.groups.Tuple.tuple(RunnerConfig.TMP_DIR_ENV, "/tmp"));
        assertThat(runtime.getEnv()).as("the pod secret comes from the pod's own Secret, not a literal")
                .filteredOn(env -> RunnerConfig.SECRET_ENV.equals(env.getName())).singleElement()
                .satisfies(env -> {
                    assertThat(env.getValue()).as("literal value").isNull();
                    assertThat(env.getValueFrom().getSecretKeyRef().getName()).as("Secret").isEqualTo("hearth-p-1");
                    assertThat(env.getValueFrom().getSecretKeyRef().getKey()).as("key").isEqualTo(PodSecrets.SECRET_KEY);
                });
        assertThat(runtime.getReadinessProbe().getHttpGet().getPath()).as("probe path").isEqualTo("/v1/health");
        assertThat(runtime.getReadinessProbe().getHttpGet().getPort().getIntValue()).as("probe port").isEqualTo(8080);
        assertThat(runtime.getVolumeMounts()).as("mounts").extracting(V1VolumeMount::getMountPath)
                .containsExactlyInAnyOrder("/opt/hearth", "/tmp", "/mnt/code", "/mnt/logs");
        assertThat(runtime.getResources().getRequests()).as("requests")
                .containsEntry("cpu", Quantity.fromString("250m")).containsEntry("memory", Quantity.fromString("128Mi"));
        assertThat(runtime.getResources().getLimits()).as("limits")
                .containsEntry("cpu", Quantity.fromString("1")).containsEntry("memory", Quantity.fromString("256Mi"));
    }

    @Test
    void initContainerCopiesTheRunnerIntoAnEmptyDir() {
        V1Pod pod = templates.pod("hearth-p-1", POOL, SPEC, Labels.STATE_WARM);
        V1Container init = pod.getSpec().getInitContainers().get(0);

        assertThat(init.getImage()).as("init image").isEqualTo("ghcr.io/hearth/runner:1.0");
        assertThat(init.getCommand()).as("init command").isEqualTo(KubernetesPoolSpec.DEFAULT_INSTALL_COMMAND);
        assertThat(init.getVolumeMounts()).as("init mounts").singleElement()
                .satisfies(mount -> assertThat(mount.getMountPath()).isEqualTo("/opt/hearth"));
        assertThat(pod.getSpec().getVolumes()).as("volumes").allSatisfy(volume ->
                assertThat(volume.getEmptyDir()).as(volume.getName() + " is an emptyDir").isNotNull());
        assertThat(pod.getSpec().getVolumes()).hasSize(4);
    }

    @Test
    void metadataCarriesLabelsOwnerAndRawImageButNoSecret() {
        V1Pod pod = templates.pod("hearth-p-1", POOL, SPEC, Labels.STATE_WARM);

        assertThat(pod.getMetadata().getLabels()).as("labels")
                .containsEntry(Labels.POOL, Labels.poolValue(IMAGE))
                .containsEntry(Labels.STATE, Labels.STATE_WARM)
                .containsEntry(Labels.POD_ID, "hearth-p-1")
                .containsEntry("app.kubernetes.io/instance", "prod");
        assertThat(pod.getMetadata().getAnnotations()).as("annotations").containsEntry(Labels.IMAGE_ANNOTATION, IMAGE);
        String secret = TestDrivers.POD_SECRETS.secretOf("hearth-p-1");
        assertThat(pod.toJson()).as("nothing of the pod carries its secret").doesNotContain(secret);
        assertThat(pod.getMetadata().getOwnerReferences()).as("owner").singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("Deployment");
            assertThat(owner.getUid()).isEqualTo("uid-1");
        });
        assertThat(pod.getApiVersion()).as("apiVersion").isEqualTo("v1");
        assertThat(pod.getKind()).as("kind").isEqualTo("Pod");
    }

    @Test
    void perPoolSchedulingOverridesAreRendered() {
        V1PodSpec spec = templates.pod("hearth-p-1", POOL, SPEC, Labels.STATE_WARM).getSpec();

        assertThat(spec.getNodeSelector()).as("nodeSelector").containsEntry("hearth.dev/sandbox", "true");
        assertThat(spec.getTolerations()).as("tolerations").singleElement()
                .satisfies(t -> assertThat(t.getKey()).isEqualTo("sandbox"));
        assertThat(spec.getRuntimeClassName()).as("runtimeClassName").isEqualTo("gvisor");
        assertThat(spec.getImagePullSecrets()).as("imagePullSecrets").singleElement()
                .satisfies(ref -> assertThat(ref.getName()).isEqualTo("regcred"));
    }

    @Test
    void jobWrapsTheSameTemplateBornClaimed() {
        V1Job job = templates.job("hearth-j-1", POOL, SPEC);

        assertThat(job.getApiVersion()).as("apiVersion").isEqualTo("batch/v1");
        assertThat(job.getSpec().getBackoffLimit()).as("backoffLimit").isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).as("activeDeadlineSeconds").isEqualTo(3600L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).as("ttlSecondsAfterFinished").isEqualTo(60);
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).as("template labels")
                .containsEntry(Labels.STATE, Labels.STATE_CLAIMED)
                .containsEntry(Labels.POD_ID, "hearth-j-1")
                .containsEntry(Labels.KIND, Labels.KIND_JOB);
        assertThat(job.getSpec().getTemplate().getSpec())
                .as("pod spec, with the Job's Secret").isEqualTo(templates.pod("hearth-j-1", POOL, SPEC, Labels.STATE_WARM).getSpec());
    }

    @Test
    void poolLabelIsLabelSafeAndDistinguishesImagesThatSanitizeAlike() {
        String value = Labels.poolValue("registry.example.com:5000/team/a-very-long-image-name-indeed:v5-22-with-suffix");

        assertThat(value).as("label value").matches("[a-z0-9]([-a-z0-9._]*[a-z0-9])?").hasSizeLessThanOrEqualTo(63);
        assertThat(Labels.poolValue("a/b")).as("a/b vs a-b").isNotEqualTo(Labels.poolValue("a-b"));
        assertThat(Labels.poolValue("node:22")).as("deterministic").isEqualTo(Labels.poolValue("node:22"));
    }

    @Test
    void theSecretOfAPodCarriesItsDerivedValueAndTheOwnerUntilThePodTakesIt() {
        var secret = templates.secret("hearth-p-1", SPEC, TestDrivers.POD_SECRETS.secretOf("hearth-p-1"));

        assertThat(secret.getMetadata().getName()).as("named like the pod").isEqualTo("hearth-p-1");
        assertThat(new String(secret.getData().get(PodSecrets.SECRET_KEY), java.nio.charset.StandardCharsets.UTF_8))
                .as("value").isEqualTo(TestDrivers.POD_SECRETS.secretOf("hearth-p-1"));
        assertThat(secret.getImmutable()).as("immutable").isTrue();
        assertThat(secret.getMetadata().getOwnerReferences()).as("owner").singleElement()
                .satisfies(owner -> assertThat(owner.getUid()).isEqualTo("uid-1"));
        assertThat(secret.getMetadata().getLabels()).as("labels").containsEntry(Labels.POD_ID, "hearth-p-1")
                .doesNotContainValue(TestDrivers.POD_SECRETS.secretOf("hearth-p-1"));
    }

    @Test
    void podSecretsAreDerivedPerPodAndPerKey() {
        PodSecrets same = new PodSecrets("test-installation-key");
        PodSecrets other = new PodSecrets("another-key");

        assertThat(same.secretOf("hearth-p-1")).as("any replica with the key derives the same")
                .isEqualTo(TestDrivers.POD_SECRETS.secretOf("hearth-p-1")).hasSize(43);
        assertThat(same.secretOf("hearth-p-2")).as("another pod").isNotEqualTo(same.secretOf("hearth-p-1"));
        assertThat(other.secretOf("hearth-p-1")).as("another key").isNotEqualTo(same.secretOf("hearth-p-1"));
        assertThat(same.toString()).as("toString").doesNotContain("test-installation-key");
        assertThat(same.keyId()).as("key id: the same for the same key").isEqualTo(TestDrivers.POD_SECRETS.keyId())
                .matches("[A-Za-z0-9]{16}").isNotEqualTo(other.keyId());
        assertThat(same.secretOf("hearth-p-1")).as("cached, still the same").isEqualTo(same.secretOf("hearth-p-1"));
    }

    @Test
    void aPoolThatNeedsRootGetsItAloneAndKeepsEveryOtherRestriction() {
        KubernetesPoolSpec openRuntimes = KubernetesPoolSpec.builder("ghcr.io/hearth/runner:1.0")
                .runAsUser(0).readOnlyRootFilesystem(false).workingDir("/usr/local/server")
                .writablePath("/mnt/telemetry").writablePath("/usr/local/build").build();

        V1PodSpec spec = templates.pod("hearth-p-1", POOL, openRuntimes, Labels.STATE_WARM).getSpec();

        assertThat(spec.getSecurityContext().getRunAsNonRoot()).as("pod runAsNonRoot").isFalse();
        assertThat(spec.getSecurityContext().getRunAsUser()).as("pod runAsUser").isZero();
        V1Container runtime = spec.getContainers().get(0);
        assertThat(runtime.getSecurityContext().getRunAsUser()).isZero();
        assertThat(runtime.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(runtime.getSecurityContext().getPrivileged()).isFalse();
        assertThat(runtime.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(runtime.getSecurityContext().getCapabilities().getAdd()).as("root's file capabilities only")
                .containsExactly("CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID");
        V1Container init = spec.getInitContainers().get(0);
        assertThat(init.getSecurityContext().getRunAsUser()).as("the runner's installer stays uid 10001")
                .isEqualTo(10001L);
        assertThat(init.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(runtime.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("HEARTH_RUNNER_BUILD_DIR");
            assertThat(env.getValue()).isEqualTo("/usr/local/server");
        });
        assertThat(runtime.getVolumeMounts()).extracting(m -> m.getName() + "=" + m.getMountPath())
                .contains("writable-0=/mnt/telemetry", "writable-1=/usr/local/build", "logs=/mnt/logs");
        assertThat(spec.getVolumes()).extracting(v -> v.getName())
                .contains("writable-0", "writable-1")
                .allSatisfy(name -> assertThat(spec.getVolumes()).anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull()));
    }

    @Test
    void writablePathsMustBeAbsoluteAndDistinct() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KubernetesPoolSpec.builder("r")
                .writablePath("mnt/x").build()).hasMessageContaining("'mnt/x'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KubernetesPoolSpec.builder("r")
                .writablePath("/a").writablePath("/a").build()).hasMessageContaining("repeat");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KubernetesPoolSpec.builder("r")
                .runAsUser(-1).build()).hasMessageContaining("runAsUser");
    }
}
