package dev.hearth.runner.http;

import java.nio.file.Path;

/**
 * The Open Runtimes runtime protocol an {@code openruntimes} function's server speaks, from the specialization's
 * {@code version}. Only {@code v2} differs on the wire; {@code v4} and {@code v5} (and anything else) are spoken as
 * v5, as the upstream executor does.
 */
public enum OpenRuntimesVersion {

    /** One {@code POST /} with a JSON envelope and a JSON answer ({@link OpenRuntimesV2Execution}). */
    V2("INTERNAL_RUNTIME_KEY"),
    /** The caller's request proxied with control headers, logs in files ({@link OpenRuntimesExecution}). */
    V5("OPEN_RUNTIMES_SECRET");

    /** Where a container laid out as Open Runtimes' has its code (v4, v5). */
    private static final Path CONTAINER_CODE = Path.of("/mnt/code");
    /** Where a v2 container has its code and working directory. */
    private static final Path V2_CODE = Path.of("/usr/code");

    private final String secretVariable;

    OpenRuntimesVersion(String secretVariable) {
        this.secretVariable = secretVariable;
    }

    public static OpenRuntimesVersion of(String version) {
        return "v2".equals(version) ? V2 : V5;
    }

    /** The variable holding the runtime's secret, which the server checks on every call. */
    public String secretVariable() {
        return secretVariable;
    }

    /**
     * Where a v2 runtime's server starts: the v2 code directory {@code /usr/code}, the upstream executor's working
     * directory for v2, in a pod laid out as an Open Runtimes container (its code directory being {@code /mnt/code});
     * in a runner whose directories are elsewhere (a local pod), its code directory.
     */
    public static Path v2WorkingDirectory(Path codeDir) {
        return codeDir.equals(CONTAINER_CODE) ? V2_CODE : codeDir;
    }

    /**
     * A v2 {@code runtimeEntrypoint} as this runner runs it: where the working directory is not {@code /usr/code},
     * that path (alone, not {@code /usr/code-start} or other names beginning with it) becomes the working directory.
     */
    public static String localizeV2(String command, Path workingDirectory) {
        if (workingDirectory.equals(V2_CODE)) {
            return command;
        }
        return command.replaceAll("/usr/code(?![\\w.-])",
                java.util.regex.Matcher.quoteReplacement(workingDirectory.toString()));
    }
}
