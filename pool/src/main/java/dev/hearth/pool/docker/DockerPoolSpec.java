package dev.hearth.pool.docker;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import dev.hearth.runner.protocol.Adapter;

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
 * @param network                the Docker network of the containers: {@value #HOST_NETWORK} (the runner on a loopback
 *                               address of the host's network) or any other network ({@code none}, {@code bridge}, a
 *                               user network), where each container has a network namespace of its own and the
 *                               gateway reaches its runner through a Unix domain socket; {@code null} = the adapter's
 *                               default ({@link #networkFor})
 */
public record DockerPoolSpec(String user, boolean readOnlyRootFilesystem, double cpus, long memoryBytes,
                             long pidsLimit, Map<String, String> env, String network) {

    public static final String DEFAULT_USER = "10001:10001";
    /** Docker refuses memory limits below 6 MiB; the runner's JVM needs far more, but that is the pool's call. */
    static final long MIN_MEMORY = 6L << 20;
    static final long MIN_PIDS = 64;

    private static final Pattern USER = Pattern.compile("([0-9]+|[a-z_][a-z0-9_-]*)(:([0-9]+|[a-z_][a-z0-9_-]*))?");
    public static final String HOST_NETWORK = "host";
    /**
     * Where {@code openruntimes} pools go unless they say otherwise: a namespace of their own (their server takes port
     * 3000) and no network at all, the safe choice; functions that need egress need a pool with a network that has it.
     */
    public static final String OPEN_RUNTIMES_NETWORK = "none";

    /** Docker's network names; {@code container:<id>} (sharing another container's namespace) is not one of them. */
    private static final Pattern NETWORK = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** 10001, read-only root, 1 CPU, 512 MiB, 512 pids: the Kubernetes template's defaults. After the patterns. */
    public static final DockerPoolSpec DEFAULTS = new DockerPoolSpec(DEFAULT_USER, true, 1.0, 512L << 20, 512, Map.of(),
            null);

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
        if (network != null && !NETWORK.matcher(network).matches()) {
            throw new IllegalArgumentException("network must be host or the name of a Docker network, but was '"
                    + network + "'");
        }
    }

    /**
     * The network of a container of a pool with {@code adapter}: the pool's, else {@value #HOST_NETWORK}, or
     * {@value #OPEN_RUNTIMES_NETWORK} for {@code openruntimes}. Errors for {@code openruntimes} on the host's network:
     * an Open Runtimes image's server listens on port 3000 of every address, so two of its containers would clash.
     */
    public String networkFor(String adapter) {
        boolean openRuntimes = Adapter.fromWire(adapter) == Adapter.OPENRUNTIMES;
        String chosen = network != null ? network : openRuntimes ? OPEN_RUNTIMES_NETWORK : HOST_NETWORK;
        if (openRuntimes && chosen.equals(HOST_NETWORK)) {
            throw new IllegalArgumentException("network must not be host for the openruntimes adapter: Open Runtimes"
                    + " images serve on port 3000 of every address, so their containers need a network namespace"
                    + " each (none, bridge or a user network)");
        }
        return chosen;
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
        return new DockerPoolSpec(value, readOnlyRootFilesystem, cpus, memoryBytes, pidsLimit, env, network);
    }

    public DockerPoolSpec withReadOnlyRootFilesystem(boolean value) {
        return new DockerPoolSpec(user, value, cpus, memoryBytes, pidsLimit, env, network);
    }

    public DockerPoolSpec withCpus(double value) {
        return new DockerPoolSpec(user, readOnlyRootFilesystem, value, memoryBytes, pidsLimit, env, network);
    }

    public DockerPoolSpec withMemoryBytes(long value) {
        return new DockerPoolSpec(user, readOnlyRootFilesystem, cpus, value, pidsLimit, env, network);
    }

    public DockerPoolSpec withPidsLimit(long value) {
        return new DockerPoolSpec(user, readOnlyRootFilesystem, cpus, memoryBytes, value, env, network);
    }

    public DockerPoolSpec withEnv(Map<String, String> value) {
        return new DockerPoolSpec(user, readOnlyRootFilesystem, cpus, memoryBytes, pidsLimit, value, network);
    }

    public DockerPoolSpec withNetwork(String value) {
        return new DockerPoolSpec(user, readOnlyRootFilesystem, cpus, memoryBytes, pidsLimit, env, value);
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
