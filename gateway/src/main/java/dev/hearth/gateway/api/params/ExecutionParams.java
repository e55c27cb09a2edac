package dev.hearth.gateway.api.params;

import dev.hearth.gateway.api.error.ExecutorException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The validated params of {@code POST /v1/runtimes/{runtimeId}/executions} (§1.5).
 *
 * @param body      the request body for the function; empty means "send no body" (upstream treats
 *                  null, "" and "0" alike). Not copied: do not mutate
 * @param path      always starts with "/"; may carry a query string
 * @param headers   the caller's headers for the function; a repeated header has several values.
 *                  Unmodifiable, in order
 * @param timeout   seconds; one budget shared by on-the-fly creation, readiness and the call
 * @param variables for on-the-fly creation (and every v2 call), {@code strval}'d
 * @param version   the wire protocol of this call, whatever the runtime was created with
 */
public record ExecutionParams(
        String runtimeId,
        byte[] body,
        String path,
        String method,
        Map<String, List<String>> headers,
        int timeout,
        String image,
        String source,
        String entrypoint,
        Map<String, String> variables,
        double cpus,
        int memory,
        String version,
        String runtimeEntrypoint,
        boolean logging,
        String restartPolicy) {

    public static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD");
    /** {@code Text(20971520)}: 20 Mi characters for a string body; applied to bytes for a file part. */
    public static final int MAX_BODY_LENGTH = 20 * 1024 * 1024;

    public ExecutionParams {
        Objects.requireNonNull(body, "body");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    }

    /**
     * Validates in upstream's declaration order.
     *
     * @param runtimeId the route's runtime ID, which overrides any body param of that name
     * @throws ExecutorException 400 general_unknown for an invalid param; 400 execution_bad_request
     *                           for headers that do not decode to an object
     */
    public static ExecutionParams from(Params params, String runtimeId) {
        return new ExecutionParams(
                Validators.text("runtimeId", runtimeId, 64, 1),
                body(params),
                path(params.text("path", 2048, 1, "/")),
                params.whitelist("method", METHODS, true, "GET"),
                ExecutionHeadersParam.read(params),
                params.integer("timeout", true, 15),
                params.textOrEmpty("image", 128, 1),
                params.textOrEmpty("source", 0, 1),
                params.textOrEmpty("entrypoint", 256, 0),
                variables(params),
                params.decimal("cpus", 1),
                params.integer("memory", true, 512),
                params.whitelist("version", CreateRuntimeParams.RUNTIME_VERSIONS, false,
                        CreateRuntimeParams.DEFAULT_VERSION),
                params.textOrEmpty("runtimeEntrypoint", 1024, 0),
                params.bool("logging", true, true),
                params.whitelist("restartPolicy", CreateRuntimeParams.RESTART_POLICIES, true,
                        CreateRuntimeParams.DEFAULT_RESTART_POLICY));
    }

    /** Whether a missing runtime may be created on the fly: upstream needs both image and source. */
    public boolean canCreateRuntime() {
        return !image.isEmpty() && !source.isEmpty();
    }

    /**
     * The params of upstream's internal create call for on-the-fly creation: no command,
     * destination, outputDirectory, cacheKey or remove, and the default build timeout.
     */
    public CreateRuntimeParams toCreateRuntimeParams() {
        return new CreateRuntimeParams(runtimeId, image, entrypoint, source, "", "", variables,
                runtimeEntrypoint, "", "", 600, false, cpus, memory, version, restartPolicy);
    }

    private static byte[] body(Params params) {
        Object raw = params.raw("body");
        if (raw instanceof byte[] bytes) {
            if (bytes.length > MAX_BODY_LENGTH) {
                throw Validators.invalid("body", Validators.textDescription(MAX_BODY_LENGTH, 0));
            }
            return bytes;
        }
        // Lenient on "" (upstream's Text min 1 would reject it) because it can only mean "no body".
        String text = params.textOrEmpty("body", MAX_BODY_LENGTH, 0);
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String path(String path) {
        return path.startsWith("/") ? path : "/" + path;
    }

    private static Map<String, String> variables(Params params) {
        Object raw = params.raw("variables");
        if (raw instanceof String s) {
            Validators.text("variables", s, 65_535, 0); // AnyOf(Text(65535), Assoc)
        }
        return PhpValues.strvalMap(params.assoc("variables"));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ExecutionParams that
                && Arrays.equals(body, that.body)
                && timeout == that.timeout && memory == that.memory && logging == that.logging
                && Double.compare(cpus, that.cpus) == 0
                && runtimeId.equals(that.runtimeId) && path.equals(that.path) && method.equals(that.method)
                && headers.equals(that.headers) && image.equals(that.image) && source.equals(that.source)
                && entrypoint.equals(that.entrypoint) && variables.equals(that.variables)
                && version.equals(that.version) && runtimeEntrypoint.equals(that.runtimeEntrypoint)
                && restartPolicy.equals(that.restartPolicy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(runtimeId, Arrays.hashCode(body), path, method, headers, timeout, image, source,
                entrypoint, variables, cpus, memory, version, runtimeEntrypoint, logging, restartPolicy);
    }

    @Override
    public String toString() {
        // Body, header values and variables may carry secrets: sizes and names only.
        return "ExecutionParams[runtimeId=" + runtimeId + ", method=" + method + ", path=" + path
                + ", body=" + body.length + " bytes, headers=" + headers.keySet() + ", timeout=" + timeout
                + ", version=" + version + ", image=" + image + ", variables=" + variables.keySet() + "]";
    }
}
