package dev.hearth.runner.function;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.hearth.runner.protocol.Specialization;

/**
 * The directories of the function (its code, {@code home/} under the runner's work directory, its tmp) and the
 * environment its processes get: the runner's {@code PATH}, {@code HOME},
 * {@code TMPDIR}, {@code HEARTH_ENTRYPOINT}, then the function's own variables, which may override them.
 */
public record FunctionWorkspace(Path workDir, Path code, Path home, Path tmp, Map<String, String> environment) {

    /**
     * Creates the code and tmp directories and {@code <workDir>/home}. Blocking.
     *
     * @param code where the function's code is (extracted by now)
     * @param tmp  the function's temporary directory
     */
    public static FunctionWorkspace prepare(Path workDir, Path code, Path tmp, Specialization specialization)
            throws IOException {
        Files.createDirectories(code);
        Path home = Files.createDirectories(workDir.resolve("home"));
        Files.createDirectories(tmp);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("HOME", home.toString());
        env.put("TMPDIR", tmp.toString());
        env.put("HEARTH_ENTRYPOINT", specialization.entrypoint());
        env.putAll(specialization.env());
        return new FunctionWorkspace(workDir, code, home, tmp, Map.copyOf(env));
    }
}
