package dev.hearth.runner.protocol;

import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * What turns a warm, generic pod into one runtime: the function's start command, its environment and
 * the adapter. The source archive travels separately, as the streamed body of the specialize call.
 *
 * @param adapter        how executions reach the function
 * @param command        shell command run with {@code sh -c} in the code directory: per execution for
 *                       {@code exec}, once at specialization for {@code http}
 * @param entrypoint     the function's entrypoint file relative to the code directory (informational;
 *                       exported as {@code HEARTH_ENTRYPOINT})
 * @param env            the function's environment variables
 * @param startTimeoutMs for {@code http}: how long the server may take to accept connections
 * @param cpus           CPUs the runtime was created with; 0 when not given (never null after construction)
 * @param memoryMb       memory the runtime was created with, in megabytes; 0 when not given (never null)
 * @param logging        whether the function's logs are to be collected; true when not given (never null)
 * @param restartPolicy  the runtime's restart policy ({@code no}, {@code always}, ...); {@code no} when not given
 * @param version        the Open Runtimes runtime protocol the {@code openruntimes} adapter speaks: {@code v2}, or
 *                       {@code v5} (the default; {@code v4} is spoken as {@code v5}, as upstream does); others ignore it
 * @param archive        for {@code openruntimes}: the name the source is kept under, unextracted, in the tmp directory,
 *                       {@code code.tar.gz} (the default) or {@code code.tar}, as the image's start script expects it
 */
public record Specialization(String adapter, String command, String entrypoint, Map<String, String> env,
                             long startTimeoutMs, Double cpus, Integer memoryMb, Boolean logging,
                             String restartPolicy, String version, String archive) {

    public static final String DEFAULT_VERSION = "v5";
    /**
     * The CMD of every Open Runtimes v2 image, which extracts {@code /tmp/code.tar.gz} and starts the server: the
     * command of a v2 runtime created without a {@code runtimeEntrypoint}. The runner runs it with {@code sh}, as the
     * image would without a shell (v2 images are mostly Alpine, without bash).
     */
    public static final String OPEN_RUNTIMES_V2_CMD = "/usr/local/src/start.sh";

    /** The canonical constructor is the one JSON binds to (the shorter one is for callers in code). */
    @JsonCreator
    public Specialization {
        Objects.requireNonNull(adapter, "adapter");
        Adapter.fromWire(adapter);
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("command must not be blank, but was '" + command + "'");
        }
        entrypoint = entrypoint == null ? "" : entrypoint;
        env = env == null ? Map.of() : Map.copyOf(env);
        if (startTimeoutMs <= 0) {
            throw new IllegalArgumentException("startTimeoutMs must be positive, but was " + startTimeoutMs);
        }
        // Absent in JSON from older gateways (boxed for that reason): 0 means "not given".
        cpus = cpus == null ? 0.0 : cpus;
        memoryMb = memoryMb == null ? 0 : memoryMb;
        if (cpus < 0 || memoryMb < 0) {
            throw new IllegalArgumentException("cpus and memoryMb must be >= 0, but were " + cpus + " and " + memoryMb);
        }
        logging = logging == null || logging;
        restartPolicy = restartPolicy == null || restartPolicy.isBlank() ? "no" : restartPolicy;
        version = version == null || version.isBlank() ? DEFAULT_VERSION : version;
        archive = BuildRequest.archiveName(archive);
    }

    /** A specialization whose source, if kept unextracted, is a {@code code.tar.gz}. */
    public Specialization(String adapter, String command, String entrypoint, Map<String, String> env,
                          long startTimeoutMs, Double cpus, Integer memoryMb, Boolean logging, String restartPolicy,
                          String version) {
        this(adapter, command, entrypoint, env, startTimeoutMs, cpus, memoryMb, logging, restartPolicy, version, null);
    }

    /** A specialization of the default runtime protocol version. */
    public Specialization(String adapter, String command, String entrypoint, Map<String, String> env,
                          long startTimeoutMs, Double cpus, Integer memoryMb, Boolean logging, String restartPolicy) {
        this(adapter, command, entrypoint, env, startTimeoutMs, cpus, memoryMb, logging, restartPolicy, null, null);
    }

    /** A specialization with no resources given, logging on and no restart policy. */
    public Specialization(String adapter, String command, String entrypoint, Map<String, String> env,
                          long startTimeoutMs) {
        this(adapter, command, entrypoint, env, startTimeoutMs, 0.0, 0, true, "no", null, null);
    }

    public Adapter adapterKind() {
        return Adapter.fromWire(adapter);
    }
}
