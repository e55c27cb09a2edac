package dev.hearth.pool.kubernetes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.hearth.pool.PoolConfig;
import dev.hearth.runner.RunnerConfig;
import dev.hearth.runner.protocol.RunnerProtocol;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Capabilities;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EmptyDirVolumeSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1LocalObjectReference;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1SeccompProfile;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Toleration;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;

/**
 * Renders a pool's pods and Jobs (DESIGN.md, "Kubernetes"). Pure: no I/O, same input → same object.
 *
 * <p>The pod secret reaches the runner as {@code HEARTH_RUNNER_SECRET} from the pod's own Kubernetes Secret (same
 * name as the pod or Job, see {@link PodSecrets}) through {@code secretKeyRef}: it is in no pod spec, label or
 * annotation, so reading pods does not reveal it.
 */
public final class PodTemplates {

    public static final String RUNNER_DIR = "/opt/hearth";
    public static final String RUNNER_COMMAND = RUNNER_DIR + "/runner";
    public static final String INIT_CONTAINER = "hearth-runner-install";
    public static final String RUNTIME_CONTAINER = "runtime";
    public static final long RUN_AS_USER = 10001;
    /** emptyDir volume name → mount path; the runtime's only writable paths when the root is read-only. */
    public static final Map<String, String> SCRATCH_VOLUMES = Map.of(
            "hearth-runner", RUNNER_DIR, "tmp", "/tmp", "code", "/mnt/code", "logs", "/mnt/logs");

    /** Names of the pool's own writable paths' emptyDirs: {@code writable-0}, {@code writable-1}, … */
    static final String WRITABLE_VOLUME = "writable-";

    private final KubernetesDriverConfig config;

    public PodTemplates(KubernetesDriverConfig config) {
        this.config = config;
    }

    /** A warm pod named {@code name}, labelled {@code state}. */
    public V1Pod pod(String name, PoolConfig pool, KubernetesPoolSpec spec, String state) {
        return new V1Pod()
                .apiVersion("v1")
                .kind("Pod")
                .metadata(metadata(pool, spec, name, Labels.KIND_POD, state).name(name).ownerReferences(owners()))
                .spec(podSpec(pool, spec, name));
    }

    /**
     * The Secret named like the pod (or Job) {@code name}, carrying its pod secret. Created before the pod and
     * owned by the installation's owner until the pod exists; then the pod becomes its owner (see the driver).
     */
    public V1Secret secret(String name, KubernetesPoolSpec spec, String podSecret) {
        Map<String, String> labels = new LinkedHashMap<>(config.labels());
        labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
        labels.put(Labels.POD_ID, name);
        return new V1Secret()
                .apiVersion("v1")
                .kind("Secret")
                .type("Opaque")
                .immutable(true)
                .metadata(new V1ObjectMeta()
                        .name(name)
                        .namespace(config.namespace())
                        .labels(labels)
                        .ownerReferences(owners()))
                .data(Map.of(PodSecrets.SECRET_KEY, podSecret.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A size-0 pool's Job named {@code name}: one pod, never retried ({@code backoffLimit 0}), killed after
     * {@code activeDeadlineSeconds}, removed {@code ttlSecondsAfterFinished} after it ends. Its pod is born
     * claimed: it serves exactly the runtime it was created for.
     */
    public V1Job job(String name, PoolConfig pool, KubernetesPoolSpec spec) {
        V1ObjectMeta podMeta = metadata(pool, spec, name, Labels.KIND_JOB, Labels.STATE_CLAIMED);
        return new V1Job()
                .apiVersion("batch/v1")
                .kind("Job")
                .metadata(metadata(pool, spec, name, Labels.KIND_JOB, Labels.STATE_CLAIMED)
                        .name(name)
                        .ownerReferences(owners()))
                .spec(new V1JobSpec()
                        .backoffLimit(0)
                        .activeDeadlineSeconds(spec.activeDeadlineSeconds())
                        .ttlSecondsAfterFinished(spec.ttlSecondsAfterFinished())
                        .template(new V1PodTemplateSpec().metadata(podMeta).spec(podSpec(pool, spec, name))));
    }

    /** The label selector of everything this installation created: existence of the pool label plus its labels. */
    public String selector() {
        StringBuilder selector = new StringBuilder(Labels.POOL);
        config.labels().forEach((key, value) -> selector.append(',').append(key).append('=').append(value));
        return selector.toString();
    }

    private V1ObjectMeta metadata(PoolConfig pool, KubernetesPoolSpec spec, String podId, String kind, String state) {
        Map<String, String> labels = new LinkedHashMap<>(config.labels());
        labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
        labels.put(Labels.POOL, Labels.poolValue(pool.image()));
        labels.put(Labels.STATE, state);
        labels.put(Labels.POD_ID, podId);
        labels.put(Labels.KIND, kind);
        return new V1ObjectMeta()
                .namespace(config.namespace())
                .labels(labels)
                .annotations(Map.of(Labels.IMAGE_ANNOTATION, pool.image()));
    }

    /**
     * The owner reference. The owner lives in the runtime namespace too: the garbage collector deletes a dependent
     * whose owner it cannot find in the dependent's own namespace, at once.
     */
    private List<V1OwnerReference> owners() {
        KubernetesDriverConfig.Owner owner = config.owner();
        if (owner == null) {
            return null;
        }
        return List.of(new V1OwnerReference()
                .apiVersion(owner.apiVersion())
                .kind(owner.kind())
                .name(owner.name())
                .uid(owner.uid())
                .blockOwnerDeletion(false)
                .controller(false));
    }

    private V1PodSpec podSpec(PoolConfig pool, KubernetesPoolSpec spec, String secretName) {
        return new V1PodSpec()
                .restartPolicy("Never")
                .automountServiceAccountToken(false)
                .enableServiceLinks(false)
                .securityContext(new V1PodSecurityContext()
                        .runAsNonRoot(!spec.runsAsRoot())
                        .runAsUser(spec.runAsUser())
                        .runAsGroup(spec.runAsUser())
                        .fsGroup(spec.runAsUser())
                        .seccompProfile(new V1SeccompProfile().type("RuntimeDefault")))
                .initContainers(List.of(initContainer(spec)))
                .containers(List.of(runtimeContainer(pool, spec, secretName)))
                .volumes(volumes(spec))
                .nodeSelector(spec.nodeSelector().isEmpty() ? null : spec.nodeSelector())
                .tolerations(spec.tolerations().isEmpty() ? null : tolerations(spec))
                .runtimeClassName(spec.runtimeClassName())
                .imagePullSecrets(spec.imagePullSecrets().isEmpty() ? null : spec.imagePullSecrets().stream()
                        .map(name -> new V1LocalObjectReference().name(name))
                        .toList());
    }

    private V1Container initContainer(KubernetesPoolSpec spec) {
        return new V1Container()
                .name(INIT_CONTAINER)
                .image(spec.runnerImage())
                .command(spec.runnerInstallCommand())
                .securityContext(containerSecurity(true, RUN_AS_USER))
                .resources(resources(spec))
                .volumeMounts(List.of(new V1VolumeMount().name("hearth-runner").mountPath(RUNNER_DIR)));
    }

    private V1Container runtimeContainer(PoolConfig pool, KubernetesPoolSpec spec, String secretName) {
        List<V1EnvVar> env = new ArrayList<>();
        spec.env().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> env.add(new V1EnvVar().name(e.getKey()).value(e.getValue())));
        env.add(new V1EnvVar().name(RunnerConfig.PORT_ENV).value(Integer.toString(spec.runnerPort())));
        // The function's code and tmp directories are the pod's emptyDirs, where Open Runtimes' paths name them.
        env.add(new V1EnvVar().name(RunnerConfig.CODE_DIR_ENV).value(SCRATCH_VOLUMES.get("code")));
        env.add(new V1EnvVar().name(RunnerConfig.TMP_DIR_ENV).value(SCRATCH_VOLUMES.get("tmp")));
        env.add(new V1EnvVar().name(RunnerConfig.LOGS_DIR_ENV).value(SCRATCH_VOLUMES.get("logs")));
        if (spec.workingDir() != null) {
            env.add(new V1EnvVar().name(RunnerConfig.BUILD_DIR_ENV).value(spec.workingDir()));
        }
        env.add(new V1EnvVar().name(RunnerConfig.SECRET_ENV).valueFrom(new V1EnvVarSource()
                .secretKeyRef(new V1SecretKeySelector().name(secretName).key(PodSecrets.SECRET_KEY))));
        return new V1Container()
                .name(RUNTIME_CONTAINER)
                .image(pool.image())
                .command(List.of(RUNNER_COMMAND))
                .env(env)
                .ports(List.of(new io.kubernetes.client.openapi.models.V1ContainerPort()
                        .name("runner")
                        .containerPort(spec.runnerPort())))
                .readinessProbe(new V1Probe()
                        .httpGet(new V1HTTPGetAction()
                                .path(RunnerProtocol.HEALTH_PATH)
                                .port(new IntOrString(spec.runnerPort())))
                        .periodSeconds(1)
                        .failureThreshold(3))
                .securityContext(containerSecurity(spec.readOnlyRootFilesystem(), spec.runAsUser()))
                .resources(resources(spec))
                .volumeMounts(volumeMounts(spec));
    }

    private static List<V1VolumeMount> volumeMounts(KubernetesPoolSpec spec) {
        List<V1VolumeMount> mounts = new ArrayList<>(SCRATCH_VOLUMES.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> new V1VolumeMount().name(e.getKey()).mountPath(e.getValue())
                        .readOnly(e.getKey().equals("hearth-runner") ? Boolean.TRUE : null))
                .toList());
        for (int i = 0; i < spec.writablePaths().size(); i++) {
            mounts.add(new V1VolumeMount().name(WRITABLE_VOLUME + i).mountPath(spec.writablePaths().get(i)));
        }
        return mounts;
    }

    /**
     * Root's file capabilities, for pools that run as uid 0 (Open Runtimes images): without them root cannot unpack an
     * archive whose entries belong to another uid (GNU tar restores owners as root: {@code CHOWN}, then modes and
     * times on what it now does not own: {@code FOWNER}, {@code FSETID}), nor read what such an archive made private
     * ({@code DAC_OVERRIDE}). Appwrite's CLI packs a deployment with the developer's uid, and its build command is
     * {@code tar -zxf}. Nothing else is added: no setuid, no kill, no network capabilities.
     */
    static final List<String> ROOT_FILE_CAPABILITIES = List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID");

    /** Non-root unless the pool runs as uid 0 (then root's file capabilities only); never privileged, no escalation. */
    private static V1SecurityContext containerSecurity(boolean readOnlyRoot, long runAsUser) {
        return new V1SecurityContext()
                .runAsNonRoot(runAsUser != 0)
                .runAsUser(runAsUser)
                .allowPrivilegeEscalation(false)
                .privileged(false)
                .readOnlyRootFilesystem(readOnlyRoot)
                .capabilities(new V1Capabilities().drop(List.of("ALL"))
                        .add(runAsUser == 0 ? ROOT_FILE_CAPABILITIES : null))
                .seccompProfile(new V1SeccompProfile().type("RuntimeDefault"));
    }

    private static V1ResourceRequirements resources(KubernetesPoolSpec spec) {
        return new V1ResourceRequirements()
                .requests(quantities(spec.requests()))
                .limits(quantities(spec.limits()));
    }

    private static Map<String, Quantity> quantities(Map<String, String> values) {
        if (values.isEmpty()) {
            return null;
        }
        Map<String, Quantity> result = new LinkedHashMap<>();
        values.forEach((resource, value) -> result.put(resource, Quantity.fromString(value)));
        return result;
    }

    private static List<V1Volume> volumes(KubernetesPoolSpec spec) {
        List<String> names = new ArrayList<>(SCRATCH_VOLUMES.keySet().stream().sorted().toList());
        for (int i = 0; i < spec.writablePaths().size(); i++) {
            names.add(WRITABLE_VOLUME + i);
        }
        return names.stream().map(name -> new V1Volume().name(name).emptyDir(new V1EmptyDirVolumeSource())).toList();
    }

    private static List<V1Toleration> tolerations(KubernetesPoolSpec spec) {
        return spec.tolerations().stream()
                .map(t -> new V1Toleration().key(t.key()).operator(t.operator()).value(t.value())
                        .effect(t.effect()).tolerationSeconds(t.tolerationSeconds()))
                .toList();
    }
}
