package dev.hearth.gateway.api.params;

import dev.hearth.gateway.api.error.ExecutorException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.hearth.pool.runtime.RuntimeSpec;

/**
 * The validated params of {@code POST /v1/runtimes/{runtimeId}/executions} (§1.5).
 *
 * @param body      the request body for the function; empty means "send no body" (upstream treats
 *                  null, "" and "0" alike). Not copied: do not mutate
 * @param path      always starts with "/"; may carry a query string
 * @param headers   the caller's headers for the function; a repeated header has several values.
 *                  Unmodifiable, in order
 * @param timeout   seconds; one budget shared by on-the-fly creation, readiness and the call
 * @param runtime   the runtime to create on the fly if it does not exist (image and source may be empty:
 *                  then it cannot be); its {@code logging} and {@code version} are this call's
 */
public record ExecutionParams(
        String runtimeId,
        byte[] body,
        String path,
        String method,
        Map<String, List<String>> headers,
        int timeout,
        RuntimeSpec runtime) {

    public static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD");
    /** {@code Text(20971520)}: 20 Mi characters for a string body; applied to bytes for a file part. */
    public static final int MAX_BODY_LENGTH = 20 * 1024 * 1024;

    public ExecutionParams {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(runtime, "runtime");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /**
     * Validates in upstream's declaration order.
     *
     * @param runtimeId the route's runtime ID, which overrides any body param of that name
     * @throws ExecutorException 400 general_unknown for an invalid param; 400 execution_bad_request
     *                           for headers that do not decode to an object
     */
    public static ExecutionParams from(Params params, String runtimeId) {
        return from(params, runtimeId, CreateRuntimeParams.RUNTIME_VERSIONS);
    }

    /** As {@link #from(Params, String)}, accepting the {@code version}s {@code OPR_EXECUTOR_RUNTIME_VERSIONS} names. */
    public static ExecutionParams from(Params params, String runtimeId, List<String> runtimeVersions) {
        String id = Validators.text("runtimeId", runtimeId, 64, 1);
        byte[] body = body(params);
        String path = path(params.text("path", 2048, 1, "/"));
        String method = params.whitelist("method", METHODS, true, "GET");
        Map<String, List<String>> headers = ExecutionHeadersParam.read(params);
        int timeout = params.integer("timeout", true, 15);
        String image = params.textOrEmpty("image", 128, 1);
        String source = params.textOrEmpty("source", 0, 1);
        String entrypoint = params.textOrEmpty("entrypoint", 256, 0);
        Map<String, String> variables = variables(params);
        double cpus = Validators.nonNegative("cpus", params.decimal("cpus", 1));
        int memory = Validators.nonNegative("memory", params.integer("memory", true, 512));
        String version = params.whitelist("version", runtimeVersions, false, RuntimeSpec.DEFAULT_VERSION);
        String runtimeEntrypoint = params.textOrEmpty("runtimeEntrypoint", 1024, 0);
        boolean logging = params.bool("logging", true, true);
        String restartPolicy = params.whitelist("restartPolicy", CreateRuntimeParams.RESTART_POLICIES, true,
                RuntimeSpec.DEFAULT_RESTART_POLICY);
        RuntimeSpec runtime = new RuntimeSpec(id, image, version, source, entrypoint, runtimeEntrypoint, variables,
                cpus, memory, logging, restartPolicy);
        return new ExecutionParams(id, body, path, method, headers, timeout, runtime);
    }

    /** Whether a missing runtime may be created on the fly: upstream needs both image and source. */
    public boolean canCreateRuntime() {
        return !runtime.image().isEmpty() && !runtime.source().isEmpty();
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
                && Arrays.equals(body, that.body) && timeout == that.timeout
                && runtimeId.equals(that.runtimeId) && path.equals(that.path) && method.equals(that.method)
                && headers.equals(that.headers) && runtime.equals(that.runtime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(runtimeId, Arrays.hashCode(body), path, method, headers, timeout, runtime);
    }

    @Override
    public String toString() {
        // Body and header values may carry secrets: sizes and names only (the spec names variables' keys only).
        return "ExecutionParams[runtimeId=" + runtimeId + ", method=" + method + ", path=" + path
                + ", body=" + body.length + " bytes, headers=" + headers.keySet() + ", timeout=" + timeout
                + ", runtime=" + runtime + "]";
    }
}
