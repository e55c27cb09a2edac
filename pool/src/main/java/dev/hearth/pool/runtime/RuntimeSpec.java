package dev.hearth.pool.runtime;

import java.util.Map;
import java.util.Objects;

/**
 * What a caller asks for when creating a runtime.
 *
 * @param runtimeId          the caller's id
 * @param image              the image whose pool supplies the pod
 * @param version            Open Runtimes protocol version ({@code v5} ...), recorded and reported
 * @param entrypoint         the function's entrypoint file, appended to the pool's command
 * @param runtimeEntrypoint  when not blank, the whole start command instead of the pool's
 * @param variables          the function's environment
 */
public record RuntimeSpec(String runtimeId, String image, String version, String entrypoint,
                          String runtimeEntrypoint, Map<String, String> variables) {

    public RuntimeSpec {
        Objects.requireNonNull(runtimeId, "runtimeId");
        Objects.requireNonNull(image, "image");
        version = version == null || version.isBlank() ? "v5" : version;
        entrypoint = entrypoint == null ? "" : entrypoint;
        runtimeEntrypoint = runtimeEntrypoint == null ? "" : runtimeEntrypoint;
        variables = variables == null ? Map.of() : Map.copyOf(variables);
    }

    /** The shell command the runner runs: {@code runtimeEntrypoint}, else the pool's command + entrypoint. */
    public String command(String poolCommand) {
        if (!runtimeEntrypoint.isBlank()) {
            return runtimeEntrypoint;
        }
        return entrypoint.isBlank() ? poolCommand : poolCommand + " " + shellQuote(entrypoint);
    }

    static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
