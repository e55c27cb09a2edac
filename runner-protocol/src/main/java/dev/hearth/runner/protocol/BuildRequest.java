package dev.hearth.runner.protocol;

import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * What a build runs (the {@code x-hearth-build} header of {@code POST /v1/build}); the source archive is the
 * streamed body.
 *
 * @param command   shell command, run with {@code sh -c} in the runner's build directory
 * @param env       the build's environment variables
 * @param timeoutMs how long the command may run; then its whole process tree is killed
 * @param archive   the name the source archive is stored under in the runner's tmp directory, unextracted:
 *                  {@code code.tar.gz} (the default) or {@code code.tar}
 */
public record BuildRequest(String command, Map<String, String> env, long timeoutMs, String archive) {

    public static final String DEFAULT_ARCHIVE = "code.tar.gz";

    @JsonCreator
    public BuildRequest {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("command must not be blank, but was '" + command + "'");
        }
        env = env == null ? Map.of() : Map.copyOf(env);
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("timeoutMs must be positive, but was " + timeoutMs);
        }
        archive = archiveName(archive);
        Objects.requireNonNull(env);
    }

    /**
     * The name a source archive is kept under, unextracted, in a runner's tmp directory, as Open Runtimes names it:
     * {@code code.tar.gz} (also for null or blank) or {@code code.tar}; anything else is refused.
     */
    public static String archiveName(String archive) {
        String name = archive == null || archive.isBlank() ? DEFAULT_ARCHIVE : archive;
        if (!name.equals("code.tar.gz") && !name.equals("code.tar")) {
            throw new IllegalArgumentException("archive must be code.tar.gz or code.tar, but was '" + name + "'");
        }
        return name;
    }

    /** The archive name for a source at {@code path}: {@code code.tar} for a {@code .tar}, else {@code code.tar.gz}. */
    public static String archiveNameFor(String path) {
        return path.endsWith(".tar") ? "code.tar" : DEFAULT_ARCHIVE;
    }

    /** Never prints the variables' values: they carry the function's secrets. */
    @Override
    public String toString() {
        return "BuildRequest[archive=" + archive + ", timeoutMs=" + timeoutMs + ", env=" + env.keySet() + "]";
    }
}
