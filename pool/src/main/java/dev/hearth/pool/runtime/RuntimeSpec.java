package dev.hearth.pool.runtime;

import java.util.Map;
import java.util.Objects;

import dev.hearth.pool.PodLimits;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolRequest;
import dev.hearth.pool.Secrets;
import dev.hearth.runner.protocol.Adapter;
import dev.hearth.runner.protocol.BuildRequest;
import dev.hearth.runner.protocol.Specialization;

/**
 * Everything a runtime is created with: built once from the API request (Open Runtimes' create-runtime and
 * on-the-fly execution parameters) and carried unchanged through the pool to the runner's specialization.
 * Immutable; the variables are copied.
 *
 * @param runtimeId          the caller's id
 * @param image              the image whose pool supplies the pod
 * @param version            Open Runtimes runtime protocol version ({@code v5}, {@code v2}, ...): the environment it
 *                           gets, and the protocol an {@code openruntimes} runtime is spoken to in
 * @param source             storage path of the function's archive; empty for no code
 * @param entrypoint         the function's entrypoint file, appended to the pool's command
 * @param runtimeEntrypoint  when not blank, the whole start command instead of the pool's
 * @param variables          the function's environment
 * @param cpus               CPUs asked for (Open Runtimes' {@code cpus}); passed to the runner
 * @param memoryMb           memory asked for, in megabytes (Open Runtimes' {@code memory}); passed to the runner
 * @param logging            whether the function's logs are collected (Open Runtimes' {@code logging})
 * @param restartPolicy      Docker's restart policy name as Open Runtimes takes it; passed to the runner
 */
public record RuntimeSpec(String runtimeId, String image, String version, String source, String entrypoint,
                          String runtimeEntrypoint, Map<String, String> variables, double cpus, int memoryMb,
                          boolean logging, String restartPolicy) {

    public static final String DEFAULT_VERSION = "v5";
    public static final String DEFAULT_RESTART_POLICY = "no";
    /** v2's name for the executor's host name, misspelt upstream, kept so for functions that read it. */
    public static final String V2_HOSTNAME = "INERNAL_EXECUTOR_HOSTNAME";
    public static final String V2 = "v2";
    /** The CMD of Open Runtimes' v2 images, which extracts {@code /tmp/code.tar.gz} and starts the server. */
    public static final String V2_START = Specialization.OPEN_RUNTIMES_V2_CMD;

    public RuntimeSpec {
        Objects.requireNonNull(runtimeId, "runtimeId");
        Objects.requireNonNull(image, "image");
        version = blankTo(version, DEFAULT_VERSION);
        source = source == null ? "" : source;
        entrypoint = entrypoint == null ? "" : entrypoint;
        runtimeEntrypoint = runtimeEntrypoint == null ? "" : runtimeEntrypoint;
        variables = variables == null ? Map.of() : Map.copyOf(variables);
        if (cpus < 0) {
            throw new IllegalArgumentException("cpus must be >= 0, but was " + cpus);
        }
        if (memoryMb < 0) {
            throw new IllegalArgumentException("memoryMb must be >= 0, but was " + memoryMb);
        }
        restartPolicy = blankTo(restartPolicy, DEFAULT_RESTART_POLICY);
    }

    /** A spec with defaults for everything but the id, image, entrypoint and variables; for tests and tools. */
    public static RuntimeSpec of(String runtimeId, String image, String entrypoint, Map<String, String> variables) {
        return new RuntimeSpec(runtimeId, image, DEFAULT_VERSION, "", entrypoint, "", variables, 1, 512, true,
                DEFAULT_RESTART_POLICY);
    }

    /** What this runtime asks of the pools: its image, version and limits (its pod's, when one is made for it). */
    public PoolRequest poolRequest() {
        return new PoolRequest(image, version, new PodLimits(cpus, memoryMb));
    }

    /** The shell command the runner runs: {@code runtimeEntrypoint}, else the pool's command + entrypoint. */
    public String command(String poolCommand) {
        if (!runtimeEntrypoint.isBlank()) {
            return runtimeEntrypoint;
        }
        return entrypoint.isBlank() ? poolCommand : poolCommand + " " + shellQuote(entrypoint);
    }

    /**
     * What the runner is told: the pool's adapter and start timeout, this spec's command, environment, resources and
     * version. For the {@code openruntimes} adapter the command is {@code runtimeEntrypoint} alone and the environment
     * carries a fresh secret, which the image's server checks on every call ({@code OPEN_RUNTIMES_SECRET}; v2:
     * {@code INTERNAL_RUNTIME_KEY}). Without a {@code runtimeEntrypoint} a v5 runtime runs the pool's command (then
     * the image's start line), a v2 runtime {@link #V2_START}: upstream keeps a v2 image's own CMD, which the runner,
     * as the pod's first process, cannot read, and that CMD is this script in every v2 image.
     */
    public Specialization specialization(PoolConfig pool) {
        Map<String, String> env = openRuntimesEnvironment();
        String command;
        if (Adapter.fromWire(pool.adapter()) == Adapter.OPENRUNTIMES) {
            env.put(isV2() ? "INTERNAL_RUNTIME_KEY" : "OPEN_RUNTIMES_SECRET", Secrets.hex(16));
            command = !runtimeEntrypoint.isBlank() ? runtimeEntrypoint : isV2() ? V2_START : pool.command();
        } else {
            command = command(pool.command());
        }
        return new Specialization(pool.adapter(), command, entrypoint, env, pool.startTimeout().toMillis(), cpus,
                memoryMb, logging, restartPolicy, version, BuildRequest.archiveNameFor(source));
    }

    /**
     * The runtime's environment as Open Runtimes gives it for its version: the caller's variables, then the system
     * variables over them: {@code OPEN_RUNTIMES_ENTRYPOINT}, {@code _HOSTNAME}, {@code _CPUS}, {@code _MEMORY}; for v2
     * {@code INTERNAL_RUNTIME_ENTRYPOINT} and {@code INERNAL_EXECUTOR_HOSTNAME} (sic: upstream's name) instead; then
     * {@code CI=true}.
     */
    public Map<String, String> openRuntimesEnvironment() {
        Map<String, String> env = new java.util.LinkedHashMap<>(variables);
        if (isV2()) {
            env.put("INTERNAL_RUNTIME_ENTRYPOINT", entrypoint);
            env.put(V2_HOSTNAME, ExecutorHostname.get());
        } else {
            env.put("OPEN_RUNTIMES_ENTRYPOINT", entrypoint);
            env.put("OPEN_RUNTIMES_HOSTNAME", ExecutorHostname.get());
            // PHP's strval of the float: "1" for 1.0, "2.5" for 2.5 (Double.toString would say "1.0").
            env.put("OPEN_RUNTIMES_CPUS", java.math.BigDecimal.valueOf(cpus).stripTrailingZeros().toPlainString());
            env.put("OPEN_RUNTIMES_MEMORY", Integer.toString(memoryMb));
        }
        env.put("CI", "true");
        return env;
    }

    /** Whether the runtime speaks Open Runtimes' legacy runtime protocol v2. */
    public boolean isV2() {
        return V2.equals(version);
    }

    static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static String blankTo(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    @Override
    public String toString() {
        // Variables carry the function's secrets: names only.
        return "RuntimeSpec[" + runtimeId + " " + image + " " + version + " source=" + source + " entrypoint="
                + entrypoint + " variables=" + variables.keySet() + "]";
    }
}
