package dev.hearth.gateway.api.params;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.hearth.pool.runtime.RuntimeSpec;

/**
 * The validated params of {@code POST /v1/runtimes} (§1.4): the runtime's {@link RuntimeSpec}, built here once
 * and carried unchanged to the runner, plus what only a build uses. Optional strings are {@code ""} when
 * absent, and also when sent as {@code "0"} (Appwrite's multipart spelling of "empty").
 *
 * @param runtime         what the runtime is created with
 * @param destination     where a build's artifact goes
 * @param outputDirectory the build's output directory
 * @param command         the build command
 * @param cacheKey        the build cache's key
 * @param timeout         seconds allowed for {@code command}
 * @param remove          remove the runtime once the build is done
 */
public record CreateRuntimeParams(
        RuntimeSpec runtime,
        String destination,
        String outputDirectory,
        String command,
        String cacheKey,
        int timeout,
        boolean remove) {

    /** The wire protocols Hearth knows, all accepted unless {@code OPR_EXECUTOR_RUNTIME_VERSIONS} names fewer. */
    public static final List<String> RUNTIME_VERSIONS = List.of("v2", "v4", "v5");
    /** Docker's restart policies, accepted for compatibility: pods follow their own policy. */
    public static final List<String> RESTART_POLICIES = List.of("no", "always", "on-failure", "unless-stopped");

    static final Pattern CACHE_KEY = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");

    /**
     * Validates in upstream's declaration order, so the first bad param is the one reported.
     *
     * @throws ExecutorException 400 general_unknown for a missing or invalid param; 400
     *                           execution_bad_request for a cacheKey outside its pattern
     */
    public static CreateRuntimeParams from(Params params) {
        return from(params, RUNTIME_VERSIONS);
    }

    /** As {@link #from(Params)}, accepting the {@code version}s {@code OPR_EXECUTOR_RUNTIME_VERSIONS} names. */
    public static CreateRuntimeParams from(Params params, List<String> runtimeVersions) {
        String runtimeId = params.requiredText("runtimeId", 64, 1);
        String image = params.requiredText("image", 128, 1);
        String entrypoint = params.textOrEmpty("entrypoint", 256, 0);
        String source = params.textOrEmpty("source", 0, 0);
        String destination = params.textOrEmpty("destination", 0, 0);
        String outputDirectory = params.textOrEmpty("outputDirectory", 0, 0);
        Map<String, String> variables = PhpValues.strvalMap(params.assoc("variables"));
        String runtimeEntrypoint = params.textOrEmpty("runtimeEntrypoint", 1024, 0);
        String command = params.textOrEmpty("command", 1024, 0);
        String cacheKey = cacheKey(params);
        int timeout = params.integer("timeout", false, 600);
        boolean remove = params.bool("remove", false, false);
        double cpus = Validators.nonNegative("cpus", params.decimal("cpus", 1));
        int memory = Validators.nonNegative("memory", params.integer("memory", false, 512));
        String version = params.whitelist("version", runtimeVersions, false, RuntimeSpec.DEFAULT_VERSION);
        String restartPolicy = params.whitelist("restartPolicy", RESTART_POLICIES, true,
                RuntimeSpec.DEFAULT_RESTART_POLICY);
        RuntimeSpec runtime = new RuntimeSpec(runtimeId, image, version, source, entrypoint, runtimeEntrypoint,
                variables, cpus, memory, true, restartPolicy);
        return new CreateRuntimeParams(runtime, destination, outputDirectory, command, cacheKey, timeout, remove);
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
        // The spec names variables' keys only; the command may carry secrets.
        return "CreateRuntimeParams[" + runtime + ", command=" + (command.isEmpty() ? "" : "<set>")
                + ", cacheKey=" + cacheKey + "]";
    }
}
