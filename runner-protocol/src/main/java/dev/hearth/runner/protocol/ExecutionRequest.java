package dev.hearth.runner.protocol;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Metadata of one execution; the request body streams as the body of the execute call.
 *
 * @param method    HTTP method the function sees
 * @param path      path and query string the function sees, starting with {@code /}
 * @param headers   request headers the function sees (names lower case)
 * @param timeoutMs the runner ends the execution (killing its process tree for {@code exec}) after this
 * @param logging   whether the function's logs are wanted (Open Runtimes' {@code logging}); true when absent
 * @param variables the execution's own {@code variables} (Open Runtimes sends them in every runtime protocol v2
 *                  request); null when not given, and then a v2 runtime gets the ones it was created with
 */
public record ExecutionRequest(String method, String path, Map<String, List<String>> headers, long timeoutMs,
                               Boolean logging, Map<String, String> variables) {

    @com.fasterxml.jackson.annotation.JsonCreator
    public ExecutionRequest {
        Objects.requireNonNull(method, "method");
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/', but was '" + path + "'");
        }
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("timeoutMs must be positive, but was " + timeoutMs);
        }
        logging = logging == null || logging;
        variables = variables == null ? null : Map.copyOf(variables);
    }

    /** An execution without variables of its own. */
    public ExecutionRequest(String method, String path, Map<String, List<String>> headers, long timeoutMs,
                            Boolean logging) {
        this(method, path, headers, timeoutMs, logging, null);
    }

    /** An execution whose logs are wanted. */
    public ExecutionRequest(String method, String path, Map<String, List<String>> headers, long timeoutMs) {
        this(method, path, headers, timeoutMs, true, null);
    }
}
