package dev.hearth.pool.docker;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the containers of one pool look on Docker (DESIGN.md, "Docker (one host)"): the Kubernetes template's security
 * defaults and limits. Immutable; validated on construction so a bad value fails at startup with the value named.
 *
 * @param user                   {@code uid[:gid]} or a user name of the image the runner runs as; non-root
 *                               ({@value #DEFAULT_USER}) unless the pool says otherwise
 * @param readOnlyRootFilesystem whether the root filesystem is read-only (its writable paths are the tmpfs mounts
 *                               {@code /tmp}, {@code /mnt/code}, {@code /mnt/logs})
 * @param cpus                   CPU limit in cores, e.g. {@code 0.5}
 * @param memoryBytes            memory limit, swap included (none); the tmpfs mounts count towards it
 * @param pidsLimit              most processes and threads in the container; the runner's JVM alone uses about 40
 * @param env                    extra environment of the container; {@code HEARTH_RUNNER_*} is reserved
 */
public record DockerPoolSpec(String user, boolean readOnlyRootFilesystem, double cpus, long memoryBytes,
                             long pidsLimit, Map<String, String> env) {

    public static final String DEFAULT_USER = "10001:10001";
    /** Docker refuses memory limits below 6 MiB; the runner's JVM needs far more, but that is the pool's call. */
    static final long MIN_MEMORY = 6L << 20;
    static final long MIN_PIDS = 64;

    private static final Pattern USER = Pattern.compile("([0-9]+|[a-z_][a-z0-9_-]*)(:([0-9]+|[a-z_][a-z0-9_-]*))?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** 10001, read-only root, 1 CPU, 512 MiB, 512 pids: the Kubernetes template's defaults. After the patterns. */
    public static final DockerPoolSpec DEFAULTS = new DockerPoolSpec(DEFAULT_USER, true, 1.0, 512L << 20, 512, Map.of());

    public DockerPoolSpec {
        if (user == null || !USER.matcher(user).matches()) {
            throw new IllegalArgumentException("user must be uid[:gid] or a user name, but was '" + user + "'");
        }
        if (!(cpus > 0) || Double.isInfinite(cpus)) {
            throw new IllegalArgumentException("cpus must be > 0, but was " + cpus);
        }
        if (memoryBytes < MIN_MEMORY) {
            throw new IllegalArgumentException("memory must be at least 6MB, but was " + memoryBytes + " bytes");
        }
        if (pidsLimit < MIN_PIDS) {
            throw new IllegalArgumentException("pids-limit must be at least " + MIN_PIDS + ", but was " + pidsLimit);
        }
        env = Map.copyOf(Objects.requireNonNullElse(env, Map.of()));
        env.keySet().forEach(DockerPoolSpec::requireEnvName);
    }

    /** Whether the runner runs as root: only when the pool says so. */
    public boolean root() {
        String uid = user.split(":", 2)[0];
        return uid.equals("0") || uid.equals("root");
    }

    /**
     * This spec with exactly {@code exact}'s limits, for a container made for one runtime (Open Runtimes' {@code cpus}
     * and {@code memory} in MB); a dimension left 0, or {@code null}, keeps this spec's.
     */
    public DockerPoolSpec sizedFor(dev.hearth.pool.PodLimits exact) {
        if (exact == null) {
            return this;
        }
        DockerPoolSpec sized = exact.cpus() > 0 ? withCpus(exact.cpus()) : this;
        return exact.memoryMb() > 0 ? sized.withMemoryBytes(exact.memoryMb() << 20) : sized;
    }

    public DockerPoolSpec withUser(String value) {
        return new DockerPoolSpec(value, readOnlyRootFilesystem, cpus, memoryBytes, pidsLimit, env);
    }

    public DockerPoolSpec withReadOnlyRootFilesystem(boolean value) {
        return new DockerPoolSpec(user, value, cpus, memoryBytes, pidsLimit, env);
    }

    public DockerPoolSpec withCpus(double value) {
        return new DockerPoolSpec(user, readOnlyRootFilesystem, value, memoryBytes, pidsLimit, env);
    }

    public DockerPoolSpec withMemoryBytes(long value) {
        return new DockerPoolSpec(user, readOnlyRootFilesystem, cpus, value, pidsLimit, env);
    }

    public DockerPoolSpec withPidsLimit(long value) {
        return new DockerPoolSpec(user, readOnlyRootFilesystem, cpus, memoryBytes, value, env);
    }

    public DockerPoolSpec withEnv(Map<String, String> value) {
        return new DockerPoolSpec(user, readOnlyRootFilesystem, cpus, memoryBytes, pidsLimit, value);
    }

    private static void requireEnvName(String name) {
        if (!ENV_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("env name must match " + ENV_NAME + ", but was '" + name + "'");
        }
        if (name.startsWith("HEARTH_RUNNER_")) {
            throw new IllegalArgumentException("env name is reserved for the runner, but was '" + name + "'");
        }
    }
}
