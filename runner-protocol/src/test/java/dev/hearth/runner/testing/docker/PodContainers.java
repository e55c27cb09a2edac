package dev.hearth.runner.testing.docker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Containers started the way Hearth's pod template starts a pod's containers, as far as a Docker Engine has the
 * same settings: host networking (the engine has no bridge; the container listens on loopback), a read-only root
 * filesystem with writable tmpfs mounts where the process writes (Kubernetes' {@code emptyDir}s; {@code exec}
 * allowed, as on an emptyDir), all capabilities dropped, no privilege escalation. The user is the image's own
 * (Hearth's images say {@code USER 10001:10001}).
 */
public final class PodContainers {

    private PodContainers() {
    }

    /**
     * A container of {@code image} with the pod defaults and a writable tmpfs at each of {@code writable}.
     * Start it with a wait strategy of its own (log or command based: there are no mapped ports to poll).
     */
    public static GenericContainer<?> of(String image, String... writable) {
        Map<String, String> tmpfs = new HashMap<>();
        for (String path : writable) {
            tmpfs.put(path, "rw,exec,nosuid,nodev,mode=1777");
        }
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image));
        return container
                .withNetworkMode("host")
                .withTmpFs(tmpfs)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withReadonlyRootfs(true)
                        .withCapDrop(Capability.ALL)
                        .withSecurityOpts(List.of("no-new-privileges")));
    }

    /**
     * Mounts a host directory ({@code source} absolute) or a named volume at {@code target}. Not Testcontainers'
     * {@code withFileSystemBind}: its first bind runs a check container of {@code alpine}, which cannot be pulled.
     */
    public static GenericContainer<?> mount(GenericContainer<?> container, String source, String target,
                                            AccessMode mode) {
        return container.withCreateContainerCmdModifier(cmd -> {
            HostConfig host = cmd.getHostConfig();
            List<Bind> binds = new ArrayList<>(host.getBinds() == null ? List.of() : Arrays.asList(host.getBinds()));
            binds.add(new Bind(source, new Volume(target), mode));
            host.withBinds(binds);
        });
    }

    /**
     * The {@code /proc/<pid>/status} of the container's first process, as the host sees it: its user, groups and
     * capabilities as the kernel applies them (the tests run as root on the engine's host).
     */
    public static String hostStatusOfPid1(GenericContainer<?> container) throws java.io.IOException {
        DockerClient docker = LocalImages.requireEngine();
        Long pid = docker.inspectContainerCmd(container.getContainerId()).exec().getState().getPidLong();
        return Files.readString(Path.of("/proc", Long.toString(pid), "status"));
    }
}
