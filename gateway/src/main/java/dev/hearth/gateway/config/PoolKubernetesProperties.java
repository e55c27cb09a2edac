package dev.hearth.gateway.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.hearth.pool.kubernetes.KubernetesPoolSpec;

/**
 * The {@code kubernetes:} block of a pool entry (or of {@code hearth.pool-defaults}): how the pool's pods look on
 * Kubernetes. A pool entry's block is laid over the defaults' field by field; maps are merged key by key, lists
 * replace. Used only by the Kubernetes driver.
 *
 * @param requests             resource requests of the runtime container ({@code cpu}, {@code memory})
 * @param limits               resource limits; each must be at least its request
 * @param runtimeClass         e.g. {@code gvisor} or {@code kata}; empty = the cluster default
 * @param nodeSelector         node labels the pods must land on (keys with dots or slashes in brackets)
 * @param tolerations          taints the pods tolerate
 * @param imagePullSecrets     names of Secrets to pull the pool's image with
 * @param env                  extra environment of the runtime container; {@code HEARTH_RUNNER_*} is reserved
 * @param readOnlyRootFilesystem whether the runtime container's root filesystem is read-only (default true)
 * @param activeDeadline       size-0 pools: how long a Job's pod may run at most (default 1 h)
 * @param ttlAfterFinished     size-0 pools: how long a finished Job stays before Kubernetes removes it (default 60 s)
 * @param runAsUser            the runtime container's uid and gid (default 10001); 0 runs this pool's pods as root,
 *                             for images that need it (Open Runtimes'), and drops runAsNonRoot for them only
 * @param workingDir           the image's working directory, where builds and an Open Runtimes server run (e.g.
 *                             {@code /usr/local/server}); default: the code directory
 * @param writablePaths        more paths the runtime container may write, each an emptyDir (a list: replaces the
 *                             defaults')
 */
public record PoolKubernetesProperties(Resources requests, Resources limits, String runtimeClass,
                                       Map<String, String> nodeSelector, List<Toleration> tolerations,
                                       List<String> imagePullSecrets, Map<String, String> env,
                                       Boolean readOnlyRootFilesystem, Duration activeDeadline,
                                       Duration ttlAfterFinished, Long runAsUser, String workingDir,
                                       List<String> writablePaths) {

    static final PoolKubernetesProperties NONE = new PoolKubernetesProperties(null, null, null, null, null, null,
            null, null, null, null, null, null, null);

    /**
     * What an unchanged Open Runtimes image needs (the chart's ready entry): root, a writable root filesystem (its
     * scripts write under {@code /usr/local/server}), its working directory and {@code /mnt/telemetry}. Laid under the
     * entry's own block for pools made per runtime with the {@code openruntimes} adapter (pattern entries and images
     * without an entry); configured entries say it themselves.
     */
    static final PoolKubernetesProperties OPEN_RUNTIMES = new PoolKubernetesProperties(null, null, null, null, null,
            null, null, false, null, null, 0L, "/usr/local/server", List.of("/mnt/telemetry"));

    /** {@code cpu} and {@code memory} as Kubernetes quantities ({@code 100m}, {@code 128Mi}). */
    public record Resources(String cpu, String memory) {
        Resources over(Resources defaults) {
            return defaults == null ? this : new Resources(pick(cpu, defaults.cpu), pick(memory, defaults.memory));
        }
    }

    /** A Kubernetes toleration: {@code operator} Equal or Exists, {@code effect} NoSchedule/PreferNoSchedule/NoExecute. */
    public record Toleration(String key, String operator, String value, String effect, Long tolerationSeconds) {
    }

    /** This block laid over {@code defaults}. */
    PoolKubernetesProperties over(PoolKubernetesProperties defaults) {
        PoolKubernetesProperties base = defaults == null ? NONE : defaults;
        return new PoolKubernetesProperties(
                requests == null ? base.requests : requests.over(base.requests),
                limits == null ? base.limits : limits.over(base.limits),
                pick(runtimeClass, base.runtimeClass),
                merge(base.nodeSelector, nodeSelector),
                pick(tolerations, base.tolerations),
                pick(imagePullSecrets, base.imagePullSecrets),
                merge(base.env, env),
                pick(readOnlyRootFilesystem, base.readOnlyRootFilesystem),
                pick(activeDeadline, base.activeDeadline),
                pick(ttlAfterFinished, base.ttlAfterFinished),
                pick(runAsUser, base.runAsUser),
                pick(workingDir, base.workingDir),
                pick(writablePaths, base.writablePaths));
    }

    /** The pool's pod spec; {@link KubernetesPoolSpec} validates it and names the bad value. */
    KubernetesPoolSpec spec(String runnerImage, int runnerPort) {
        KubernetesPoolSpec.Builder builder = KubernetesPoolSpec.builder(runnerImage).runnerPort(runnerPort);
        if (requests != null) {
            resource(requests.cpu(), value -> builder.request("cpu", value));
            resource(requests.memory(), value -> builder.request("memory", value));
        }
        if (limits != null) {
            resource(limits.cpu(), value -> builder.limit("cpu", value));
            resource(limits.memory(), value -> builder.limit("memory", value));
        }
        if (runtimeClass != null && !runtimeClass.isBlank()) {
            builder.runtimeClassName(runtimeClass);
        }
        if (nodeSelector != null) {
            nodeSelector.forEach(builder::nodeSelector);
        }
        if (tolerations != null) {
            tolerations.forEach(t -> builder.toleration(new KubernetesPoolSpec.Toleration(t.key(), t.operator(),
                    t.value(), t.effect(), t.tolerationSeconds())));
        }
        if (imagePullSecrets != null) {
            imagePullSecrets.forEach(builder::imagePullSecret);
        }
        if (env != null) {
            env.forEach(builder::env);
        }
        if (readOnlyRootFilesystem != null) {
            builder.readOnlyRootFilesystem(readOnlyRootFilesystem);
        }
        if (activeDeadline != null) {
            builder.activeDeadlineSeconds(activeDeadline.toSeconds());
        }
        if (ttlAfterFinished != null) {
            builder.ttlSecondsAfterFinished(Math.toIntExact(ttlAfterFinished.toSeconds()));
        }
        if (runAsUser != null) {
            builder.runAsUser(runAsUser);
        }
        builder.workingDir(workingDir);
        if (writablePaths != null) {
            writablePaths.forEach(builder::writablePath);
        }
        return builder.build();
    }

    private static void resource(String value, java.util.function.Consumer<String> set) {
        if (value != null && !value.isBlank()) {
            set.accept(value);
        }
    }

    private static <T> T pick(T own, T fallback) {
        return own != null ? own : fallback;
    }

    private static Map<String, String> merge(Map<String, String> base, Map<String, String> own) {
        if (base == null || own == null) {
            return own != null ? own : base;
        }
        Map<String, String> merged = new LinkedHashMap<>(base);
        merged.putAll(own);
        return merged;
    }
}
