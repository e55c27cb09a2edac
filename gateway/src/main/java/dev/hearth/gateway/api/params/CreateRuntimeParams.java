package dev.hearth.gateway.api.params;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The validated params of {@code POST /v1/runtimes} (§1.4). Optional strings are {@code ""} when
 * absent, and also when sent as {@code "0"} (Appwrite's multipart spelling of "empty").
 *
 * @param variables container environment, every value {@code strval}'d; unmodifiable, in order
 * @param timeout   seconds allowed for {@code command}
 * @param memory    decimal megabytes
 */
public record CreateRuntimeParams(
        String runtimeId,
        String image,
        String entrypoint,
        String source,
        String destination,
        String outputDirectory,
        Map<String, String> variables,
        String runtimeEntrypoint,
        String command,
        String cacheKey,
        int timeout,
        boolean remove,
        double cpus,
        int memory,
        String version,
        String restartPolicy) {

    /** {@code OPR_EXECUTOR_RUNTIME_VERSIONS}: the wire protocols Hearth speaks. */
    public static final List<String> RUNTIME_VERSIONS = List.of("v2", "v4", "v5");
    public static final String DEFAULT_VERSION = "v5";
    /** Docker's restart policies, accepted for compatibility: pods follow their own policy. */
    public static final List<String> RESTART_POLICIES = List.of("no", "always", "on-failure", "unless-stopped");
    public static final String DEFAULT_RESTART_POLICY = "no";

    static final Pattern CACHE_KEY = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");

    public CreateRuntimeParams {
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    }

    /**
     * Validates in upstream's declaration order, so the first bad param is the one reported.
     *
     * @throws ExecutorException 400 general_unknown for a missing or invalid param; 400
     *                           execution_bad_request for a cacheKey outside its pattern
     */
    public static CreateRuntimeParams from(Params params) {
        return new CreateRuntimeParams(
                params.requiredText("runtimeId", 64, 1),
                params.requiredText("image", 128, 1),
                params.textOrEmpty("entrypoint", 256, 0),
                params.textOrEmpty("source", 0, 0),
                params.textOrEmpty("destination", 0, 0),
                params.textOrEmpty("outputDirectory", 0, 0),
                PhpValues.strvalMap(params.assoc("variables")),
                params.textOrEmpty("runtimeEntrypoint", 1024, 0),
                params.textOrEmpty("command", 1024, 0),
                cacheKey(params),
                params.integer("timeout", false, 600),
                params.bool("remove", false, false),
                params.decimal("cpus", 1),
                params.integer("memory", false, 512),
                params.whitelist("version", RUNTIME_VERSIONS, false, DEFAULT_VERSION),
                params.whitelist("restartPolicy", RESTART_POLICIES, true, DEFAULT_RESTART_POLICY));
    }

    /** Whether the build cache applies: upstream needs both a key and a build command. */
    public boolean buildCacheEnabled() {
        return !cacheKey.isEmpty() && !command.isEmpty();
    }

    /**
     * The key names a directory on the cache device, so besides upstream's pattern (an
     * execution_bad_request) it must not climb out of it: {@code ..} is a plain 400, as upstream.
     */
    private static String cacheKey(Params params) {
        String key = params.textOrEmpty("cacheKey", 128, 0);
        if (key.isEmpty()) {
            return key;
        }
        if (!CACHE_KEY.matcher(key).matches()) {
            throw new ExecutorException(ErrorType.EXECUTION_BAD_REQUEST,
                    "Invalid `cacheKey` param: must match " + CACHE_KEY.pattern() + ", but was '" + key + "'");
        }
        if (key.contains("..")) {
            throw ExecutorException.badRequest("Invalid `cacheKey` param: must not contain '..'");
        }
        return key;
    }

    @Override
    public String toString() {
        // Variables carry the function's secrets: name the keys only.
        return "CreateRuntimeParams[runtimeId=" + runtimeId + ", image=" + image + ", version=" + version
                + ", source=" + source + ", command=" + (command.isEmpty() ? "" : "<set>")
                + ", cacheKey=" + cacheKey + ", variables=" + variables.keySet() + "]";
    }
}
