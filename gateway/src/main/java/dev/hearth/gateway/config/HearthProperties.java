package dev.hearth.gateway.config;

import java.nio.file.Path;
import java.util.List;

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
 * {@link PoolProperties pool-defaults and pools} (exact and pattern entries, resolved by {@link PoolEntries}), each with its {@link PoolKubernetesProperties kubernetes} and
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
 * @param dynamicPools images without an entry in {@code pools}: which may run, how many pools made at call time, when
 *                    they close ({@link PoolEntries} resolves every entry)
 */
@Validated
@ConfigurationProperties(prefix = "hearth", ignoreUnknownFields = false)
public record HearthProperties(@DefaultValue("local") Driver driver, String replicaName,
                               @DefaultValue ExecutorProperties executor, Path workDir, Path storageRoot,
                               @DefaultValue StorageProperties storage,
                               @DefaultValue("127.0.0.1") String podHost, @DefaultValue RedisProperties redis,
                               @DefaultValue RuntimesProperties runtimes, @DefaultValue RunnerProperties runner,
                               PoolProperties poolDefaults, List<PoolProperties> pools,
                               @DefaultValue DynamicPoolsProperties dynamicPools,
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
        // Checks every entry, pattern entries and the defaults as a pool included, each spec on this driver.
        new PoolEntries(driver, poolDefaults, pools, kubernetes, dynamicPools);
        if (driver != Driver.KUBERNETES) {
            requireOwnNetworks(driver, poolDefaults, pools);
        }
    }

    /** The pools resolved: the configured ones, the catalog picking a runtime's pool, each pool's pod spec. */
    PoolEntries poolEntries() {
        return new PoolEntries(driver, poolDefaults, pools, kubernetes, dynamicPools);
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

    /**
     * The Docker spec of the pool of {@code image} (its entry: exact, else the first matching pattern, else the
     * defaults): its {@code docker} block over the defaults'.
     */
    public DockerPoolSpec dockerPoolSpec(String image) {
        return poolEntries().dockerSpec(image);
    }

    /** The configured pools (an entry per image; pattern entries make pools at call time), defaults filled in. */
    public List<PoolConfig> poolConfigs() {
        return poolEntries().configs();
    }

    /** The Kubernetes spec of the pool of {@code image} (its entry, as {@link #dockerPoolSpec}). */
    public KubernetesPoolSpec poolSpec(String image) {
        return poolEntries().kubernetesSpec(image);
    }
}
