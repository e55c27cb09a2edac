package dev.hearth.gateway.api.error;

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
 */
public record ExecutorProperties(
        String secret,
        @DefaultValue("unknown") String version,
        @DefaultValue("development") String env) {

    public ExecutorProperties {
        secret = secret == null ? "" : secret;
        version = version == null || version.isBlank() ? "unknown" : version;
        env = env == null || env.isBlank() ? "development" : env;
    }

    /** Whether any key can be accepted: upstream treats an empty secret and "0" alike, as unset. */
    public boolean hasUsableSecret() {
        return !secret.isEmpty() && !"0".equals(secret);
    }

    /** Keeps the secret out of logs and actuator dumps that print the bound properties. */
    @Override
    public String toString() {
        return "ExecutorProperties[secret=" + (secret.isEmpty() ? "<empty>" : "<redacted>")
                + ", version=" + version + ", env=" + env + "]";
    }
}
