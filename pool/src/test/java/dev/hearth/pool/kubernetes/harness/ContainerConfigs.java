package dev.hearth.pool.kubernetes.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Capabilities;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1SeccompProfile;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1VolumeMount;

/**
 * How the container mode's kubelet turns one container of a pod spec into a Docker container, and the checks the
 * kubelet makes first (kuberuntime's {@code verifyRunAsNonRoot}). What a runtime does with a setting is Docker's:
 * command → entrypoint and args → cmd (a command without args drops the image's cmd, as Kubernetes does), the
 * effective security context (the container's fields over the pod's), {@code allowPrivilegeEscalation: false} →
 * {@code no-new-privileges}, {@code fsGroup} and {@code supplementalGroups} as additional groups, limits as cgroup
 * limits (memory without swap, cpu as a CFS quota), requests.cpu as shares. The network is the host's: the pod's own
 * address is its {@code 127.0.0.N}.
 */
final class ContainerConfigs {

    private ContainerConfigs() {
    }

    /**
     * The kubelet's refusal to create the container, as the message of a {@code CreateContainerConfigError}, or null.
     * With {@code runAsNonRoot} the effective {@code runAsUser} decides when set; otherwise the image's user must be
     * numeric and not 0 ({@code imageUser} as the image config has it: {@code ""} is root).
     */
    static String nonRootViolation(V1Pod pod, V1Container container, String imageUser) {
        Effective sc = Effective.of(pod, container);
        if (!Boolean.TRUE.equals(sc.runAsNonRoot)) {
            return null;
        }
        String where = " (pod: \"" + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "("
                + pod.getMetadata().getUid() + ")\", container: " + container.getName() + ")";
        if (sc.runAsUser != null) {
            return sc.runAsUser == 0 ? "container's runAsUser breaks non-root policy" + where : null;
        }
        String user = imageUser == null || imageUser.isEmpty() ? "0" : imageUser.split(":", 2)[0];
        if (!user.chars().allMatch(Character::isDigit)) {
            return "container has runAsNonRoot and image has non-numeric user (" + user
                    + "), cannot verify user is non-root" + where;
        }
        return Long.parseLong(user) == 0 ? "container has runAsNonRoot and image will run as root" + where : null;
    }

    /**
     * Applies {@code container}'s spec to a create command.
     *
     * @param env      the resolved environment
     * @param volumes  emptyDir name → host directory
     */
    static void apply(CreateContainerCmd cmd, V1Pod pod, V1Container container, Map<String, String> env,
                      Map<String, String> volumes) {
        if (container.getCommand() != null && !container.getCommand().isEmpty()) {
            cmd.withEntrypoint(container.getCommand());
            cmd.withCmd(Objects.requireNonNullElse(container.getArgs(), List.of()));
        } else if (container.getArgs() != null && !container.getArgs().isEmpty()) {
            cmd.withCmd(container.getArgs());
        }
        if (container.getWorkingDir() != null) {
            cmd.withWorkingDir(container.getWorkingDir());
        }
        cmd.withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        Effective sc = Effective.of(pod, container);
        if (sc.runAsUser != null) {
            cmd.withUser(sc.runAsUser + (sc.runAsGroup == null ? "" : ":" + sc.runAsGroup));
        }
        HostConfig host = cmd.getHostConfig() == null ? HostConfig.newHostConfig() : cmd.getHostConfig();
        host.withNetworkMode("host")
                .withReadonlyRootfs(Boolean.TRUE.equals(sc.readOnlyRootFilesystem))
                .withPrivileged(Boolean.TRUE.equals(sc.privileged))
                .withBinds(binds(container, volumes))
                .withGroupAdd(groups(pod));
        List<String> securityOpts = new ArrayList<>();
        if (Boolean.FALSE.equals(sc.allowPrivilegeEscalation)) {
            securityOpts.add("no-new-privileges");
        }
        if (sc.seccomp != null && "Unconfined".equals(sc.seccomp.getType())) {
            securityOpts.add("seccomp=unconfined");
        }
        host.withSecurityOpts(securityOpts);
        if (sc.capabilities != null) {
            host.withCapDrop(capabilities(sc.capabilities.getDrop()));
            host.withCapAdd(capabilities(sc.capabilities.getAdd()));
        }
        resources(container, host);
        cmd.withHostConfig(host);
    }

    private static void resources(V1Container container, HostConfig host) {
        if (container.getResources() == null) {
            return;
        }
        Map<String, Quantity> limits = container.getResources().getLimits();
        if (limits != null && limits.containsKey("memory")) {
            long bytes = limits.get("memory").getNumber().longValue();
            // cgroup v1 has no memory.oom.group: the kernel's OOM killer is kept off, so that the process going over
            // the limit waits instead of dying alone, and ContainerPods ends the whole container at once.
            host.withMemory(bytes).withMemorySwap(bytes).withOomKillDisable(true);
        }
        if (limits != null && limits.containsKey("cpu")) {
            long period = 100_000;
            host.withCpuPeriod(period)
                    .withCpuQuota(limits.get("cpu").getNumber().multiply(java.math.BigDecimal.valueOf(period)).longValue());
        }
        Map<String, Quantity> requests = container.getResources().getRequests();
        if (requests != null && requests.containsKey("cpu")) {
            int shares = requests.get("cpu").getNumber().multiply(java.math.BigDecimal.valueOf(1024)).intValue();
            host.withCpuShares(Math.max(2, shares));
        }
    }

    private static List<Bind> binds(V1Container container, Map<String, String> volumes) {
        List<Bind> binds = new ArrayList<>();
        for (V1VolumeMount mount : container.getVolumeMounts() == null ? List.<V1VolumeMount>of()
                : container.getVolumeMounts()) {
            String source = volumes.get(mount.getName());
            if (source == null) {
                throw new IllegalArgumentException("volume " + mount.getName() + " of container "
                        + container.getName() + ": only emptyDir volumes are simulated");
            }
            binds.add(new Bind(source, new Volume(mount.getMountPath()),
                    Boolean.TRUE.equals(mount.getReadOnly()) ? AccessMode.ro : AccessMode.rw));
        }
        return binds;
    }

    private static List<String> groups(V1Pod pod) {
        V1PodSecurityContext psc = pod.getSpec().getSecurityContext();
        List<String> groups = new ArrayList<>();
        if (psc != null && psc.getFsGroup() != null) {
            groups.add(psc.getFsGroup().toString());
        }
        if (psc != null && psc.getSupplementalGroups() != null) {
            psc.getSupplementalGroups().forEach(group -> groups.add(group.toString()));
        }
        return groups;
    }

    private static Capability[] capabilities(List<String> names) {
        return names == null ? new Capability[0]
                : names.stream().map(name -> Capability.valueOf(name.replaceFirst("^CAP_", ""))).toArray(Capability[]::new);
    }

    /** The container's security context over the pod's, field by field. */
    private record Effective(Boolean runAsNonRoot, Long runAsUser, Long runAsGroup, Boolean readOnlyRootFilesystem,
                             Boolean allowPrivilegeEscalation, Boolean privileged, V1Capabilities capabilities,
                             V1SeccompProfile seccomp) {

        static Effective of(V1Pod pod, V1Container container) {
            V1PodSecurityContext p = Objects.requireNonNullElseGet(pod.getSpec().getSecurityContext(),
                    V1PodSecurityContext::new);
            V1SecurityContext c = Objects.requireNonNullElseGet(container.getSecurityContext(), V1SecurityContext::new);
            return new Effective(
                    over(c.getRunAsNonRoot(), p.getRunAsNonRoot()),
                    over(c.getRunAsUser(), p.getRunAsUser()),
                    over(c.getRunAsGroup(), p.getRunAsGroup()),
                    c.getReadOnlyRootFilesystem(),
                    c.getAllowPrivilegeEscalation(),
                    c.getPrivileged(),
                    c.getCapabilities(),
                    over(c.getSeccompProfile(), p.getSeccompProfile()));
        }

        private static <T> T over(T container, T pod) {
            return container != null ? container : pod;
        }
    }
}
