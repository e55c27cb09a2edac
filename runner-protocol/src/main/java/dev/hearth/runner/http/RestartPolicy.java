package dev.hearth.runner.http;

import java.util.Locale;

/**
 * What the runner does when a long-lived function server exits on its own: the runtime's {@code restartPolicy},
 * read as Docker reads a container's restart policy (upstream hands it to Docker as the runtime container's). The
 * server process stands for the container's main process: its exit ends the container, so its leftovers are killed
 * before it is started again. A runner never stops a server on purpose except when it closes, so
 * {@code unless-stopped} means the same as {@code always}.
 */
enum RestartPolicy {
    NO,
    ALWAYS,
    ON_FAILURE,
    UNLESS_STOPPED;

    /** The policy named as the API names it; {@code no} for a name the runner does not know (never restart). */
    static RestartPolicy of(String name) {
        if (name == null) {
            return NO;
        }
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "always" -> ALWAYS;
            case "on-failure" -> ON_FAILURE;
            case "unless-stopped" -> UNLESS_STOPPED;
            default -> NO;
        };
    }

    /** Whether a server that exited with {@code exitCode} is started again. */
    boolean restarts(int exitCode) {
        return switch (this) {
            case NO -> false;
            case ON_FAILURE -> exitCode != 0;
            case ALWAYS, UNLESS_STOPPED -> true;
        };
    }

    /** True when some exit may be followed by a restart. */
    boolean mayRestart() {
        return this != NO;
    }

    String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
