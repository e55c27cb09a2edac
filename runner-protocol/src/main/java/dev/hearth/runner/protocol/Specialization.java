package dev.hearth.runner.protocol;

import java.util.Map;
import java.util.Objects;

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
 */
public record Specialization(String adapter, String command, String entrypoint, Map<String, String> env,
                             long startTimeoutMs) {

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
    }

    public Adapter adapterKind() {
        return Adapter.fromWire(adapter);
    }
}
