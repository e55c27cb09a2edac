package dev.hearth.gateway.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.hearth.gateway.api.error.ExecutorProperties;
import dev.hearth.runner.protocol.Adapter;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.docker.DockerPoolSpec;
import dev.hearth.pool.kubernetes.KubernetesPoolSpec;

/**
 * Hearth's configuration, every {@code hearth.*} key, validated at startup: a key Hearth does not know, a bad
 * value, or an impossible combination stops the gateway with the key named, rather than failing a request later
 * or being silently ignored. Nested: {@link ExecutorProperties executor}, {@link StorageProperties storage},
 * {@link RedisProperties redis}, {@link RuntimesProperties runtimes}, {@link RunnerProperties runner},
 * {@link PoolProperties pool-defaults and pools} (each with its {@link PoolKubernetesProperties kubernetes} and
 * {@link PoolDockerProperties docker} blocks), {@link KubernetesProperties kubernetes} and
 * {@link DockerProperties docker}.
 *
 * @param driver      {@code local} (the embedded default: pods are runners in this process), {@code kubernetes} or
 *                    {@code docker} (pods are containers on one host's Docker Engine)
 * @param replicaName the start of this replica's id (default: {@code HOSTNAME}, the pod name); on Docker also the
 *                    default installation id
 * @param workDir     where local pods get their working directories ({@code HEARTH_WORK_DIR})
 * @param storageRoot the local storage device's root: paths resolve inside it ({@code HEARTH_STORAGE_ROOT})
 * @param storage     which storage device holds {@code source} and {@code destination} paths, and the S3 device
 * @param podHost     loopback address local pods bind
 */
@Validated
@ConfigurationProperties(prefix = "hearth", ignoreUnknownFields = false)
public record HearthProperties(@DefaultValue("local") Driver driver, String replicaName,
                               @DefaultValue ExecutorProperties executor, Path workDir, Path storageRoot,
                               @DefaultValue StorageProperties storage,
                               @DefaultValue("127.0.0.1") String podHost, @DefaultValue RedisProperties redis,
                               @DefaultValue RuntimesProperties runtimes, @DefaultValue RunnerProperties runner,
                               PoolProperties poolDefaults, List<PoolProperties> pools,
                               @DefaultValue KubernetesProperties kubernetes, @DefaultValue DockerProperties docker) {

    /** Which pod driver runs the pods. */
    public enum Driver { LOCAL, KUBERNETES, DOCKER }

    public HearthProperties {
        if (workDir == null || storageRoot == null) {
            throw new IllegalArgumentException("hearth.work-dir and hearth.storage-root must be set, but were "
                    + workDir + " and " + storageRoot);
        }
        if (poolDefaults == null) {
            throw new IllegalArgumentException("hearth.pool-defaults must be set");
        }
        pools = pools == null ? List.of() : List.copyOf(pools);
        poolConfigs(poolDefaults, pools);
        if (driver != Driver.KUBERNETES) {
            requireOwnNetworks(driver, poolDefaults, pools);
        }
        if (driver == Driver.KUBERNETES) {
            poolSpecs(poolDefaults, pools, kubernetes);
        }
        if (driver == Driver.DOCKER) {
            for (int i = 0; i < pools.size(); i++) {
                dockerSpec(poolDefaults, pools.get(i), i);
            }
        }
    }

    /**
     * An Open Runtimes image's server listens on port 3000 of every address, so two of its pods can only run side by
     * side with a network namespace each: a Kubernetes pod's, or a Docker container's on any network but the host's
     * (its runner then reached through a socket). Local pods share this host's network, and so do Docker pools on the
     * {@code host} network: such a pool is refused at startup rather than failing at its second pod.
     */
    private static void requireOwnNetworks(Driver driver, PoolProperties defaults, List<PoolProperties> pools) {
        for (int i = 0; i < pools.size(); i++) {
            String key = "hearth.pools[" + i + "]";
            PoolConfig config = pools.get(i).toConfig(defaults, key);
            if (driver == Driver.DOCKER) {
                try {
                    pools.get(i).dockerOver(defaults).spec().networkFor(config.adapter());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(key + ".docker.network (" + config.image() + "): "
                            + e.getMessage(), e);
                }
            } else if (Adapter.fromWire(config.adapter()) == Adapter.OPENRUNTIMES) {
                throw new IllegalArgumentException(key + " (" + config.image() + ") uses the openruntimes adapter,"
                        + " which needs hearth.driver=docker or kubernetes: Open Runtimes images serve on port 3000 of"
                        + " every address, and the local driver's pods share this host's network");
            }
        }
    }

    /** The Docker spec of the pool of {@code image}: its {@code docker} block over the defaults'. */
    public DockerPoolSpec dockerPoolSpec(String image) {
        for (int i = 0; i < pools.size(); i++) {
            if (pools.get(i).image().equals(image)) {
                return dockerSpec(poolDefaults, pools.get(i), i);
            }
        }
        throw new IllegalArgumentException("no pool is configured for image '" + image + "'");
    }

    private static DockerPoolSpec dockerSpec(PoolProperties defaults, PoolProperties pool, int index) {
        try {
            return pool.dockerOver(defaults).spec();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hearth.pools[" + index + "].docker (over hearth.pool-defaults.docker): "
                    + e.getMessage(), e);
        }
    }

    /** Every pool, defaults filled in. */
    public List<PoolConfig> poolConfigs() {
        return poolConfigs(poolDefaults, pools);
    }

    /** The Kubernetes spec of the pool of {@code image}: its {@code kubernetes} block over the defaults'. */
    public KubernetesPoolSpec poolSpec(String image) {
        for (int i = 0; i < pools.size(); i++) {
            if (pools.get(i).image().equals(image)) {
                return poolSpec(poolDefaults, pools.get(i), kubernetes, i);
            }
        }
        throw new IllegalArgumentException("no pool is configured for image '" + image + "'");
    }

    private static List<PoolConfig> poolConfigs(PoolProperties defaults, List<PoolProperties> pools) {
        List<PoolConfig> configs = new ArrayList<>();
        Set<String> images = new HashSet<>();
        for (int i = 0; i < pools.size(); i++) {
            PoolConfig config = pools.get(i).toConfig(defaults, "hearth.pools[" + i + "]");
            if (!images.add(config.image())) {
                throw new IllegalArgumentException("hearth.pools[" + i + "].image '" + config.image()
                        + "' is configured twice");
            }
            configs.add(config);
        }
        return List.copyOf(configs);
    }

    private static void poolSpecs(PoolProperties defaults, List<PoolProperties> pools, KubernetesProperties k8s) {
        for (int i = 0; i < pools.size(); i++) {
            poolSpec(defaults, pools.get(i), k8s, i);
        }
    }

    private static KubernetesPoolSpec poolSpec(PoolProperties defaults, PoolProperties pool, KubernetesProperties k8s,
                                               int index) {
        try {
            return pool.kubernetesOver(defaults).spec(k8s.runnerImage(), k8s.runnerPort());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hearth.pools[" + index + "].kubernetes (over hearth.pool-defaults"
                    + ".kubernetes): " + e.getMessage(), e);
        }
    }
}
