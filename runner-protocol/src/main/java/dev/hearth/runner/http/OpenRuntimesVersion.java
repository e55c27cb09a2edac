package dev.hearth.runner.http;

import java.nio.file.Path;
import java.util.regex.Matcher;

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
     * The v2 code directory: {@code /usr/code}, the code mount and working directory the upstream executor gives v2
     * containers, in a pod laid out as an Open Runtimes container (its code directory being {@code /mnt/code}); in a
     * runner whose directories are elsewhere (a local pod), its code directory.
     */
    public static Path v2CodeDir(Path codeDir) {
        return codeDir.equals(CONTAINER_CODE) ? V2_CODE : codeDir;
    }

    /**
     * A command naming v2's paths, as this runner runs it: where the v2 code directory is not {@code /usr/code}, that
     * path (alone, not {@code /usr/code-start} or other names beginning with it) becomes it.
     */
    public static String localizeV2(String command, Path codeDir) {
        Path v2CodeDir = v2CodeDir(codeDir);
        if (v2CodeDir.equals(V2_CODE)) {
            return command;
        }
        return command.replaceAll("/usr/code(?![\\w.-])", Matcher.quoteReplacement(v2CodeDir.toString()));
    }
}
