package dev.hearth.gateway.config;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.hearth.pool.docker.DockerDriverConfig;

/**
 * {@code hearth.docker.*}: the Docker driver as a whole, used when {@code hearth.driver=docker}. How each pool's
 * containers look (user, read-only root, cpus, memory, pids, env) is the pool's {@code docker:} block.
 *
 * @param host           the Engine: {@code unix:///var/run/docker.sock} (the jar's configuration takes
 *                       {@code DOCKER_HOST} when set)
 * @param installation   the id on every container and volume this gateway makes; at start it removes the containers of
 *                       this id left by its previous run, and never anyone else's. Empty = {@code hearth.replica-name},
 *                       else the host name. Two gateways on one Engine need two ids
 * @param runnerPath     a runner distribution directory on this host ({@code docker/runner/build-dist.sh --out DIR}),
 *                       bind-mounted read-only at {@code /opt/hearth}; when set, the volume settings are not used
 * @param runnerVolume   the volume mounted read-only at {@code /opt/hearth}; empty = {@code hearth-runner-<installation>}
 * @param runnerImage    the runner image the volume is filled from at every start ({@code cp -Rp /hearth/. /opt/hearth/});
 *                       empty = the volume is filled already. Never pulled: it must be on the Engine
 * @param runnerPort     the port every pod's runner listens on, each on its own loopback address
 * @param addresses      the loopback addresses pods get, {@code FIRST-LAST} in 127.0.0.0/8 above 127.0.0.1; addresses
 *                       something else listens on are skipped. Its size bounds the pods of all pools together
 * @param requestTimeout how long one Engine call may take
 * @param startupTimeout how long startup may take: the Engine's answer, the sweep, filling the runner volume
 * @param socketDir      a host directory under which pods not on the {@code host} network get their runner's socket
 *                       ({@code <socket-dir>/<installation>/<pod>/runner.sock}, the installation's directory 0700);
 *                       empty = {@code <hearth.work-dir>/docker-sockets}. Keep it short: a socket path has at most
 *                       107 bytes
 */
public record DockerProperties(@DefaultValue("unix:///var/run/docker.sock") String host, String installation,
                               Path runnerPath, String runnerVolume,
                               @DefaultValue("ghcr.io/hearth/runner:0.1.0") String runnerImage,
                               @DefaultValue("8080") int runnerPort,
                               @DefaultValue("127.0.0.2-127.0.0.254") String addresses,
                               @DefaultValue("30s") Duration requestTimeout,
                               @DefaultValue("5m") Duration startupTimeout, Path socketDir) {

    public DockerProperties {
        Durations.requirePositive("hearth.docker.request-timeout", requestTimeout);
        Durations.requirePositive("hearth.docker.startup-timeout", startupTimeout);
    }

    /**
     * The driver-wide settings, validated by their records (which name the bad value).
     *
     * @param replicaName {@code hearth.replica-name}, or {@code null}
     * @param hostName    this host's name, the last default of the installation id
     * @param workDir     {@code hearth.work-dir}, where the socket directory is by default
     */
    public DockerDriverConfig driverConfig(String replicaName, String hostName, Path workDir) {
        try {
            String id = present(installation) ? installation
                    : DockerDriverConfig.installationFrom(present(replicaName) ? replicaName : hostName);
            DockerDriverConfig.RunnerSource runner = runnerPath != null
                    ? new DockerDriverConfig.RunnerPath(runnerPath.toAbsolutePath())
                    : new DockerDriverConfig.RunnerVolume(present(runnerVolume) ? runnerVolume : "hearth-runner-" + id,
                            runnerImage, null);
            Path sockets = (socketDir != null ? socketDir : workDir.resolve("docker-sockets")).toAbsolutePath();
            return new DockerDriverConfig(host, id, runner, runnerPort, DockerDriverConfig.AddressRange.parse(addresses),
                    requestTimeout, sockets);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hearth.docker: " + e.getMessage(), e);
        }
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
