package dev.hearth.gateway.api.error;

import java.util.List;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The executor-wide settings of the Open Runtimes API ({@code hearth.executor.*}, bound as part of
 * {@code HearthProperties}).
 *
 * @param secret  the shared key callers send in {@code Authorization} ({@code OPR_EXECUTOR_SECRET});
 *                empty or {@code "0"} rejects every call, as upstream does
 * @param version reported in every error body's {@code version} ({@code OPR_EXECUTOR_VERSION})
 * @param env     {@code OPR_EXECUTOR_ENV}; informational: Hearth always answers with
 *                development-mode statuses and messages (§8.4) but never adds file, line or trace
 * @param runtimeVersions the {@code version} values accepted on create and execute
 *                ({@code OPR_EXECUTOR_RUNTIME_VERSIONS}, comma-separated; {@code v2,v4,v5} by default), a subset of
 *                those
 */
public record ExecutorProperties(
        String secret,
        @DefaultValue("unknown") String version,
        @DefaultValue("development") String env,
        @DefaultValue({"v2", "v4", "v5"}) List<String> runtimeVersions) {

    /** Every runtime protocol version the API knows. */
    public static final List<String> KNOWN_RUNTIME_VERSIONS = List.of("v2", "v4", "v5");

    public ExecutorProperties {
        secret = secret == null ? "" : secret;
        version = version == null || version.isBlank() ? "unknown" : version;
        env = env == null || env.isBlank() ? "development" : env;
        runtimeVersions = runtimeVersions == null ? KNOWN_RUNTIME_VERSIONS
                : runtimeVersions.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
        if (runtimeVersions.isEmpty() || !KNOWN_RUNTIME_VERSIONS.containsAll(runtimeVersions)) {
            throw new IllegalArgumentException("hearth.executor.runtime-versions (OPR_EXECUTOR_RUNTIME_VERSIONS) must "
                    + "name some of " + KNOWN_RUNTIME_VERSIONS + ", but was " + runtimeVersions);
        }
    }

    /** Whether any key can be accepted: upstream treats an empty secret and "0" alike, as unset. */
    public boolean hasUsableSecret() {
        return !secret.isEmpty() && !"0".equals(secret);
    }

    /** Keeps the secret out of logs and actuator dumps that print the bound properties. */
    @Override
    public String toString() {
        return "ExecutorProperties[secret=" + (secret.isEmpty() ? "<empty>" : "<redacted>")
                + ", version=" + version + ", env=" + env + ", runtimeVersions=" + runtimeVersions + "]";
    }
}
