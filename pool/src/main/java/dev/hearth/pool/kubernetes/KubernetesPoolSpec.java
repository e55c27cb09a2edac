package dev.hearth.pool.kubernetes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import io.kubernetes.client.custom.Quantity;

/**
 * How the pods of one pool look on Kubernetes (DESIGN.md, "Kubernetes"). Immutable; validated on
 * construction so a bad value fails at startup with the value named. Collections are copied and never null.
 *
 * <p>Where they live is not a pool's choice: every pod, Job and pod Secret of an installation lives in its one
 * runtime namespace ({@link KubernetesDriverConfig#namespace()}, the chart's {@code runtimeNamespace}), the one
 * namespace the gateway's Role covers, its informer watches and its owner ConfigMap is in.
 *
 * @param runnerImage             init image holding the runner distribution
 * @param runnerInstallCommand    what the init container runs to copy the distribution into {@code /opt/hearth}
 * @param runnerPort              port the runner listens on inside the pod
 * @param requests                resource requests, e.g. {@code cpu: 100m, memory: 128Mi}
 * @param limits                  resource limits; each must be at least its request
 * @param nodeSelector            node labels the pods must land on
 * @param tolerations             taints the pods tolerate
 * @param runtimeClassName        e.g. {@code gvisor} or {@code kata}; {@code null} for the cluster default
 * @param imagePullSecrets        names of secrets for pulling the pool's image
 * @param env                     extra environment of the runtime container; {@code HEARTH_RUNNER_*} is reserved
 * @param readOnlyRootFilesystem  whether the runtime container's root filesystem is read-only (its writable
 *                                paths are the emptyDirs {@code /tmp}, {@code /mnt/code}, {@code /mnt/logs})
 * @param activeDeadlineSeconds   for size-0 pools: how long a Job's pod may run at most
 * @param ttlSecondsAfterFinished for size-0 pools: how long a finished Job stays before Kubernetes removes it
 * @param runAsUser               the runtime container's uid (and gid); 10001 by default, 0 for images that need
 *                                root (Open Runtimes'), which drops {@code runAsNonRoot} for this pool's pods only
 * @param workingDir              the image's working directory, where builds and an Open Runtimes server run
 *                                ({@code HEARTH_RUNNER_BUILD_DIR}); {@code null}: the code directory
 * @param writablePaths           more {@code emptyDir}s for the runtime container, for images that write elsewhere
 *                                than {@code /tmp}, {@code /mnt/code} and {@code /mnt/logs}
 */
public record KubernetesPoolSpec(String runnerImage, List<String> runnerInstallCommand,
                                 int runnerPort, Map<String, String> requests, Map<String, String> limits,
                                 Map<String, String> nodeSelector, List<Toleration> tolerations,
                                 String runtimeClassName, List<String> imagePullSecrets, Map<String, String> env,
                                 boolean readOnlyRootFilesystem, long activeDeadlineSeconds,
                                 int ttlSecondsAfterFinished, long runAsUser, String workingDir,
                                 List<String> writablePaths) {

    public static final List<String> DEFAULT_INSTALL_COMMAND = List.of("cp", "-Rp", "/hearth/.", "/opt/hearth/");
    public static final int DEFAULT_RUNNER_PORT = 8080;

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    /** One toleration; {@code operator} is {@code Equal} or {@code Exists}. */
    public record Toleration(String key, String operator, String value, String effect, Long tolerationSeconds) {
        public Toleration {
            if (!"Equal".equals(operator) && !"Exists".equals(operator)) {
                throw new IllegalArgumentException("toleration operator must be Equal or Exists, but was '"
                        + operator + "'");
            }
        }
    }

    public KubernetesPoolSpec {
        if (runnerImage == null || runnerImage.isBlank()) {
            throw new IllegalArgumentException("runnerImage must not be blank, but was '" + runnerImage + "'");
        }
        runnerInstallCommand = List.copyOf(Objects.requireNonNullElse(runnerInstallCommand, DEFAULT_INSTALL_COMMAND));
        if (runnerInstallCommand.isEmpty()) {
            throw new IllegalArgumentException("runnerInstallCommand must not be empty");
        }
        if (runnerPort < 1 || runnerPort > 65535) {
            throw new IllegalArgumentException("runnerPort must be between 1 and 65535, but was " + runnerPort);
        }
        requests = quantities("requests", requests);
        limits = quantities("limits", limits);
        requireLimitsCoverRequests(requests, limits);
        nodeSelector = Map.copyOf(Objects.requireNonNullElse(nodeSelector, Map.of()));
        tolerations = List.copyOf(Objects.requireNonNullElse(tolerations, List.of()));
        if (runtimeClassName != null && !DNS_LABEL.matcher(runtimeClassName).matches()) {
            throw new IllegalArgumentException("runtimeClassName must be a DNS label, but was '" + runtimeClassName + "'");
        }
        imagePullSecrets = List.copyOf(Objects.requireNonNullElse(imagePullSecrets, List.of()));
        env = Map.copyOf(Objects.requireNonNullElse(env, Map.of()));
        env.keySet().forEach(KubernetesPoolSpec::requireEnvName);
        if (activeDeadlineSeconds < 1) {
            throw new IllegalArgumentException("activeDeadlineSeconds must be >= 1, but was " + activeDeadlineSeconds);
        }
        if (ttlSecondsAfterFinished < 0) {
            throw new IllegalArgumentException("ttlSecondsAfterFinished must be >= 0, but was " + ttlSecondsAfterFinished);
        }
        if (runAsUser < 0) {
            throw new IllegalArgumentException("runAsUser must be >= 0, but was " + runAsUser);
        }
        if (workingDir != null && !workingDir.isBlank()) {
            requireAbsolute("workingDir", workingDir);
        } else {
            workingDir = null;
        }
        writablePaths = List.copyOf(Objects.requireNonNullElse(writablePaths, List.of()));
        writablePaths.forEach(path -> requireAbsolute("writablePaths", path));
        if (writablePaths.stream().distinct().count() != writablePaths.size()) {
            throw new IllegalArgumentException("writablePaths must not repeat a path, but were " + writablePaths);
        }
    }

    /**
     * This spec with its limits set to exactly {@code exact}, for a pod made for one runtime: {@code cpu} in
     * millicores, {@code memory} in {@code Mi} (Open Runtimes' megabytes); a dimension {@code exact} leaves 0 keeps
     * this spec's. A request above its new limit is lowered to it (a request may not exceed its limit); {@code null}
     * or nothing set: this spec.
     */
    public KubernetesPoolSpec sizedFor(dev.hearth.pool.PodLimits exact) {
        if (exact == null || exact.unset()) {
            return this;
        }
        Map<String, String> newLimits = new LinkedHashMap<>(limits);
        if (exact.cpus() > 0) {
            newLimits.put("cpu", Math.max(1, Math.round(exact.cpus() * 1000)) + "m");
        }
        if (exact.memoryMb() > 0) {
            newLimits.put("memory", exact.memoryMb() + "Mi");
        }
        Map<String, String> newRequests = new LinkedHashMap<>(requests);
        newRequests.replaceAll((resource, request) -> newLimits.containsKey(resource)
                && Quantity.fromString(request).getNumber().compareTo(
                        Quantity.fromString(newLimits.get(resource)).getNumber()) > 0 ? newLimits.get(resource) : request);
        return new KubernetesPoolSpec(runnerImage, runnerInstallCommand, runnerPort, newRequests, newLimits,
                nodeSelector, tolerations, runtimeClassName, imagePullSecrets, env, readOnlyRootFilesystem,
                activeDeadlineSeconds, ttlSecondsAfterFinished, runAsUser, workingDir, writablePaths);
    }

    /** The limits its pods get, in Open Runtimes' units; an unset or unparsable dimension is 0 (no limit). */
    public dev.hearth.pool.PodLimits podLimits() {
        String cpu = limits.get("cpu");
        String memory = limits.get("memory");
        double cores = cpu == null ? 0 : Quantity.fromString(cpu).getNumber().doubleValue();
        long mebibytes = memory == null ? 0 : Quantity.fromString(memory).getNumber().longValue() >> 20;
        return new dev.hearth.pool.PodLimits(cores, mebibytes);
    }

    /** Whether the runtime container runs as root (an image that needs it, e.g. Open Runtimes'). */
    public boolean runsAsRoot() {
        return runAsUser == 0;
    }

    private static void requireAbsolute(String what, String path) {
        java.nio.file.Path parsed = java.nio.file.Path.of(path);
        if (!parsed.isAbsolute() || !parsed.normalize().toString().equals(path) || path.equals("/")) {
            throw new IllegalArgumentException(what + " must be absolute, normalized paths other than /, but had '"
                    + path + "'");
        }
    }

    public static Builder builder(String runnerImage) {
        return new Builder(runnerImage);
    }

    private static Map<String, String> quantities(String what, Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(Objects.requireNonNullElse(values, Map.of()));
        copy.forEach((resource, value) -> {
            try {
                Quantity.fromString(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(what + "." + resource + " must be a Kubernetes quantity, but was '"
                        + value + "'", e);
            }
        });
        return copy;
    }

    private static void requireLimitsCoverRequests(Map<String, String> requests, Map<String, String> limits) {
        limits.forEach((resource, limit) -> {
            String request = requests.get(resource);
            if (request != null
                    && Quantity.fromString(request).getNumber().compareTo(Quantity.fromString(limit).getNumber()) > 0) {
                throw new IllegalArgumentException("requests." + resource + " (" + request + ") must not exceed limits."
                        + resource + ", but the limit was " + limit);
            }
        });
    }

    private static void requireEnvName(String name) {
        if (!ENV_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("env name must match " + ENV_NAME + ", but was '" + name + "'");
        }
        if (name.startsWith("HEARTH_RUNNER_")) {
            throw new IllegalArgumentException("env name is reserved for the runner, but was '" + name + "'");
        }
    }

    /**
     * Builder with the defaults: runner port 8080, read-only root, uid 10001, the image's working directory, no
     * writable path beyond the template's, 1 h Job deadline, 60 s Job TTL.
     */
    public static final class Builder {
        private final String runnerImage;
        private List<String> runnerInstallCommand = DEFAULT_INSTALL_COMMAND;
        private int runnerPort = DEFAULT_RUNNER_PORT;
        private final Map<String, String> requests = new LinkedHashMap<>();
        private final Map<String, String> limits = new LinkedHashMap<>();
        private final Map<String, String> nodeSelector = new LinkedHashMap<>();
        private final List<Toleration> tolerations = new ArrayList<>();
        private String runtimeClassName;
        private final List<String> imagePullSecrets = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private boolean readOnlyRootFilesystem = true;
        private long activeDeadlineSeconds = 3600;
        private int ttlSecondsAfterFinished = 60;
        private long runAsUser = PodTemplates.RUN_AS_USER;
        private String workingDir;
        private final List<String> writablePaths = new ArrayList<>();

        private Builder(String runnerImage) {
            this.runnerImage = runnerImage;
        }

        public Builder runnerInstallCommand(List<String> value) { this.runnerInstallCommand = value; return this; }
        public Builder runnerPort(int value) { this.runnerPort = value; return this; }
        public Builder request(String resource, String value) { requests.put(resource, value); return this; }
        public Builder limit(String resource, String value) { limits.put(resource, value); return this; }
        public Builder nodeSelector(String key, String value) { nodeSelector.put(key, value); return this; }
        public Builder toleration(Toleration value) { tolerations.add(value); return this; }
        public Builder runtimeClassName(String value) { this.runtimeClassName = value; return this; }
        public Builder imagePullSecret(String name) { imagePullSecrets.add(name); return this; }
        public Builder env(String name, String value) { env.put(name, value); return this; }
        public Builder readOnlyRootFilesystem(boolean value) { this.readOnlyRootFilesystem = value; return this; }
        public Builder activeDeadlineSeconds(long value) { this.activeDeadlineSeconds = value; return this; }
        public Builder ttlSecondsAfterFinished(int value) { this.ttlSecondsAfterFinished = value; return this; }
        public Builder runAsUser(long value) { this.runAsUser = value; return this; }
        public Builder workingDir(String value) { this.workingDir = value; return this; }
        public Builder writablePath(String path) { writablePaths.add(path); return this; }

        public KubernetesPoolSpec build() {
            return new KubernetesPoolSpec(runnerImage, runnerInstallCommand, runnerPort, requests, limits,
                    nodeSelector, tolerations, runtimeClassName, imagePullSecrets, env, readOnlyRootFilesystem,
                    activeDeadlineSeconds, ttlSecondsAfterFinished, runAsUser, workingDir, writablePaths);
        }
    }
}
