package dev.hearth.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.runtime.RuntimesConfig;

/**
 * Hearth's configuration ({@code hearth.*}), validated at startup: a bad value stops the gateway with the
 * value named rather than failing a request later.
 *
 * @param workDir             where local pods get their working directories ({@code HEARTH_WORK_DIR})
 * @param storageRoot         the local storage device: {@code source} paths resolve inside it
 *                            ({@code HEARTH_STORAGE_ROOT})
 * @param podHost             loopback address local pods bind
 * @param poolDefaults        values a pool entry leaves out
 * @param pools               one entry per image
 * @param leaseTtl            lifetime of a pod lease unless renewed
 * @param inactivityThreshold idle runtimes are released after this ({@code OPR_EXECUTOR_INACTIVE_THRESHOLD})
 * @param maintenanceInterval how often idle runtimes are looked for ({@code OPR_EXECUTOR_MAINTENANCE_INTERVAL})
 */
@Validated
@ConfigurationProperties("hearth")
public record HearthProperties(Path workDir, Path storageRoot, String podHost, PoolProperties poolDefaults,
                               List<PoolProperties> pools, Duration leaseTtl, Duration inactivityThreshold,
                               Duration maintenanceInterval) {

    public HearthProperties {
        if (workDir == null || storageRoot == null) {
            throw new IllegalArgumentException("hearth.work-dir and hearth.storage-root must be set, but were "
                    + workDir + " and " + storageRoot);
        }
        podHost = podHost == null ? "127.0.0.1" : podHost;
        pools = pools == null ? List.of() : List.copyOf(pools);
        if (poolDefaults == null) {
            throw new IllegalArgumentException("hearth.pool-defaults must be set");
        }
        poolConfigs(poolDefaults, pools);
    }

    public List<PoolConfig> poolConfigs() {
        return poolConfigs(poolDefaults, pools);
    }

    public RuntimesConfig runtimesConfig(String replicaId) {
        return RuntimesConfig.of(replicaId, leaseTtl, inactivityThreshold, maintenanceInterval);
    }

    private static List<PoolConfig> poolConfigs(PoolProperties defaults, List<PoolProperties> pools) {
        return pools.stream().map(pool -> pool.toConfig(defaults)).toList();
    }
}
