package dev.hearth.pool.docker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.api.model.VolumeOptions;

import dev.hearth.pool.PoolConfig;
import dev.hearth.runner.RunnerConfig;
import dev.hearth.runner.protocol.Adapter;

/**
 * Renders a pool's containers (DESIGN.md, "Docker (one host)") with the Kubernetes template's security defaults:
 * the pool's image unchanged running {@code /opt/hearth/runner}, the runner distribution mounted read-only at
 * {@code /opt/hearth}, host networking with the runner on the pod's own loopback address (or, on any other network, a
 * namespace of its own with the runner on a socket in a bind-mounted directory: {@link RunnerAccess}), non-root
 * ({@code 10001} unless the pool says otherwise), {@code no-new-privileges}, every capability dropped (a root pool keeps root's file capabilities), a read-only root filesystem
 * with tmpfs mounts for the paths a runtime writes, CPU, memory (no swap) and pids limits, no restart. Docker applies
 * its default seccomp profile, which nothing here turns off. Pure: no I/O.
 */
public final class ContainerTemplates {

    public static final String RUNNER_DIR = "/opt/hearth";
    public static final String RUNNER_COMMAND = RUNNER_DIR + "/runner";
    public static final String CODE_DIR = "/mnt/code";
    public static final String TMP_DIR = "/tmp";
    public static final String LOGS_DIR = "/mnt/logs";
    /** On the {@code /tmp} tmpfs, so it goes with the container. */
    public static final String WORK_DIR = "/tmp/hearth-runner";
    /**
     * {@code exec}, as an emptyDir is: Netty loads its native library from {@code /tmp}, and functions may run binaries
     * from their code. Memory-backed: counts towards the limit. {@code mode=1777} holds only where the image has no
     * such directory: runc gives the tmpfs the mode of the image's own directory, so a numeric user also owns the
     * mounts ({@code uid=}, {@code gid=}) to be able to write them whatever the image says.
     */
    static final String TMPFS_OPTIONS = "rw,exec,nosuid,nodev,mode=1777";
    private static final Map<String, String> LOG_OPTIONS = Map.of("max-size", "10m", "max-file", "2");

    private final DockerDriverConfig config;

    public ContainerTemplates(DockerDriverConfig config) {
        this.config = config;
    }

    /**
     * The container of pod {@code podId} (also its name), its runner reached through {@code access} with
     * {@code secret}: a {@link RunnerAccess.Loopback} on the host's network, a {@link RunnerAccess.Socket} on the pool's
     * other network ({@link DockerPoolSpec#networkFor}).
     */
    public ContainerSpec pod(String podId, PoolConfig pool, DockerPoolSpec spec, RunnerAccess access, String secret) {
        return pod(podId, pool, spec, access, secret, null);
    }

    /**
     * As {@link #pod(String, PoolConfig, DockerPoolSpec, RunnerAccess, String)}, with the image's working directory
     * ({@code WORKDIR}, or {@code null}): an {@code openruntimes} function's server and builds run there, where the
     * image keeps its {@code helpers/}.
     */
    public ContainerSpec pod(String podId, PoolConfig pool, DockerPoolSpec spec, RunnerAccess access, String secret,
                             String imageWorkingDir) {
        List<String> env = new ArrayList<>();
        spec.env().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> env.add(e.getKey() + "=" + e.getValue()));
        if (access instanceof RunnerAccess.Loopback loopback) {
            env.add(RunnerConfig.HOST_ENV + "=" + loopback.address());
            env.add(RunnerConfig.PORT_ENV + "=" + config.runnerPort());
        } else {
            env.add(RunnerConfig.SOCKET_ENV + "=" + SocketDirectories.SOCKET_IN_POD);
        }
        env.add(RunnerConfig.SECRET_ENV + "=" + secret);
        env.add(RunnerConfig.WORK_DIR_ENV + "=" + WORK_DIR);
        env.add(RunnerConfig.CODE_DIR_ENV + "=" + CODE_DIR);
        env.add(RunnerConfig.TMP_DIR_ENV + "=" + TMP_DIR);
        env.add(RunnerConfig.LOGS_DIR_ENV + "=" + LOGS_DIR);
        if (openRuntimes(pool) && imageWorkingDir != null && !imageWorkingDir.isBlank()) {
            env.add(RunnerConfig.BUILD_DIR_ENV + "=" + imageWorkingDir);
        }
        Map<String, String> labels = new LinkedHashMap<>(installationLabels(DockerLabels.ROLE_POD));
        labels.put(DockerLabels.POOL, pool.image());
        labels.put(DockerLabels.STATE, pool.size() == 0 ? DockerLabels.STATE_CLAIMED : DockerLabels.STATE_WARM);
        labels.put(DockerLabels.POD_ID, podId);
        return new ContainerSpec(podId, pool.image(), spec.user(), List.of(RUNNER_COMMAND), List.of(), env, labels,
                podHostConfig(spec, network(pool, spec, access), access));
    }

    /**
     * The short-lived container that fills the runner volume from the runner image, as the Kubernetes init container
     * does. It runs as root, which it needs to write into the root-owned volume and keep the files' owner and times
     * ({@code cp -Rp}), but with only the three capabilities that takes, no network and a read-only root.
     */
    public ContainerSpec runnerInstall(String name, DockerDriverConfig.RunnerVolume volume) {
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withReadonlyRootfs(true)
                .withCapDrop(Capability.ALL)
                .withCapAdd(Capability.CHOWN, Capability.FOWNER, Capability.DAC_OVERRIDE)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withMounts(List.of(volumeMount(volume.name(), false)));
        return new ContainerSpec(name, volume.image(), "0:0", List.of(), volume.installCommand(), List.of(),
                installationLabels(DockerLabels.ROLE_RUNNER_INSTALL), host);
    }

    /** The labels every container and volume of this installation carries. */
    public Map<String, String> installationLabels(String role) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(DockerLabels.INSTALLATION, config.installation());
        labels.put(DockerLabels.ROLE, role);
        return labels;
    }

    /** Whether the pool runs unchanged Open Runtimes images, which need their image's working directory. */
    public static boolean openRuntimes(PoolConfig pool) {
        return Adapter.fromWire(pool.adapter()) == Adapter.OPENRUNTIMES;
    }

    /** Whether pods of the pool run on the host's network, their runners then on loopback addresses. */
    public static boolean onHostNetwork(PoolConfig pool, DockerPoolSpec spec) {
        return DockerPoolSpec.HOST_NETWORK.equals(spec.networkFor(pool.adapter()));
    }

    private static String network(PoolConfig pool, DockerPoolSpec spec, RunnerAccess access) {
        String network = spec.networkFor(pool.adapter());
        if (access instanceof RunnerAccess.Loopback != network.equals(DockerPoolSpec.HOST_NETWORK)) {
            throw new IllegalArgumentException("a pod on network '" + network + "' cannot be reached through " + access);
        }
        return network;
    }

    private HostConfig podHostConfig(DockerPoolSpec spec, String network, RunnerAccess access) {
        Map<String, String> tmpfs = new LinkedHashMap<>();
        for (String path : List.of(TMP_DIR, CODE_DIR, LOGS_DIR)) {
            tmpfs.put(path, tmpfsOptions(spec.user()));
        }
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode(network)
                .withPrivileged(false)
                .withReadonlyRootfs(spec.readOnlyRootFilesystem())
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withNanoCPUs(Math.round(spec.cpus() * 1_000_000_000L))
                .withMemory(spec.memoryBytes())
                .withMemorySwap(spec.memoryBytes())
                .withPidsLimit(spec.pidsLimit())
                .withTmpFs(tmpfs)
                .withLogConfig(new LogConfig(LogConfig.LoggingType.JSON_FILE, LOG_OPTIONS));
        if (spec.root()) {
            // As PodTemplates.ROOT_FILE_CAPABILITIES: root unpacking an archive of another uid (Appwrite's tar -zxf).
            host.withCapAdd(Capability.CHOWN, Capability.DAC_OVERRIDE, Capability.FOWNER, Capability.FSETID);
        }
        List<Bind> binds = new ArrayList<>();
        if (access instanceof RunnerAccess.Socket socket) {
            binds.add(new Bind(socket.directory().toString(), new Volume(SocketDirectories.MOUNT), AccessMode.rw));
        }
        if (config.runner() instanceof DockerDriverConfig.RunnerPath path) {
            binds.add(new Bind(path.directory().toString(), new Volume(RUNNER_DIR), AccessMode.ro));
        } else {
            DockerDriverConfig.RunnerVolume volume = (DockerDriverConfig.RunnerVolume) config.runner();
            host.withMounts(List.of(volumeMount(volume.name(), true)));
        }
        return binds.isEmpty() ? host : host.withBinds(binds);
    }

    /** {@link #TMPFS_OPTIONS}, owned by {@code user} when it is numeric ({@code uid[:gid]}). */
    static String tmpfsOptions(String user) {
        String[] ids = user.split(":", 2);
        StringBuilder options = new StringBuilder(TMPFS_OPTIONS);
        if (ids[0].matches("[0-9]+")) {
            options.append(",uid=").append(ids[0]);
            if (ids.length == 2 && ids[1].matches("[0-9]+")) {
                options.append(",gid=").append(ids[1]);
            }
        }
        return options.toString();
    }

    /** Never copies the image's own {@code /opt/hearth} into the volume (Docker does that to an empty volume). */
    private static Mount volumeMount(String name, boolean readOnly) {
        return new Mount()
                .withType(MountType.VOLUME)
                .withSource(name)
                .withTarget(RUNNER_DIR)
                .withReadOnly(readOnly)
                .withVolumeOptions(new VolumeOptions().withNoCopy(true));
    }
}
