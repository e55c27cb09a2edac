package dev.hearth.gateway.config;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.util.unit.DataSize;

import dev.hearth.pool.docker.DockerPoolSpec;

/**
 * The {@code docker:} block of a pool entry (or of {@code hearth.pool-defaults}): how the pool's containers look on
 * Docker. A pool entry's block is laid over the defaults' field by field, {@code env} key by key; what neither sets is
 * {@link DockerPoolSpec#DEFAULTS}. Used only by the Docker driver.
 *
 * @param user                   {@code uid[:gid]} or a user name the runner runs as (default {@code 10001:10001});
 *                               {@code 0} runs it as root, for images that need it
 * @param readOnlyRootFilesystem whether the root filesystem is read-only (default true); {@code /tmp},
 *                               {@code /mnt/code} and {@code /mnt/logs} are writable tmpfs mounts either way
 * @param cpus                   CPU limit in cores (default 1)
 * @param memory                 memory limit, no swap, the tmpfs mounts included (default 512MB)
 * @param pidsLimit              most processes and threads (default 512; the runner's JVM uses about 40)
 * @param env                    extra environment of the container; {@code HEARTH_RUNNER_*} is reserved
 * @param network                the containers' Docker network: {@code host} (the runner on a loopback address of the
 *                               host's network) or any other network ({@code none}, {@code bridge}, a user network:
 *                               a network namespace per container, the runner reached through a socket under
 *                               {@code hearth.docker.socket-dir}); default {@code host}, but {@code none} for the
 *                               {@code openruntimes} adapter, which cannot run on {@code host}
 */
public record PoolDockerProperties(String user, Boolean readOnlyRootFilesystem, Double cpus, DataSize memory,
                                   Long pidsLimit, Map<String, String> env, String network) {

    static final PoolDockerProperties NONE = new PoolDockerProperties(null, null, null, null, null, null, null);

    /**
     * What an unchanged Open Runtimes image needs (its scripts write under its root-owned working directory), for the
     * pools made per runtime for such images; an entry's own block still wins.
     */
    static final PoolDockerProperties OPEN_RUNTIMES = new PoolDockerProperties("0", false, null, null, null, null, null);

    /** This block laid over {@code defaults}. */
    PoolDockerProperties over(PoolDockerProperties defaults) {
        PoolDockerProperties base = defaults == null ? NONE : defaults;
        return new PoolDockerProperties(pick(user, base.user), pick(readOnlyRootFilesystem, base.readOnlyRootFilesystem),
                pick(cpus, base.cpus), pick(memory, base.memory), pick(pidsLimit, base.pidsLimit), merge(base.env, env),
                pick(network, base.network));
    }

    /** The pool's container spec; {@link DockerPoolSpec} validates it and names the bad value. */
    DockerPoolSpec spec() {
        DockerPoolSpec spec = DockerPoolSpec.DEFAULTS;
        if (user != null && !user.isBlank()) {
            spec = spec.withUser(user);
        }
        if (readOnlyRootFilesystem != null) {
            spec = spec.withReadOnlyRootFilesystem(readOnlyRootFilesystem);
        }
        if (cpus != null) {
            spec = spec.withCpus(cpus);
        }
        if (memory != null) {
            spec = spec.withMemoryBytes(memory.toBytes());
        }
        if (pidsLimit != null) {
            spec = spec.withPidsLimit(pidsLimit);
        }
        if (network != null && !network.isBlank()) {
            spec = spec.withNetwork(network);
        }
        return env == null ? spec : spec.withEnv(env);
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
