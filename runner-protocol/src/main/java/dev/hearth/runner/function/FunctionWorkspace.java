package dev.hearth.runner.function;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.hearth.runner.protocol.Specialization;

/**
 * The directories of the function under the runner's work directory ({@code code/}, {@code home/},
 * {@code tmp/}) and the environment its processes get: the runner's {@code PATH}, {@code HOME},
 * {@code TMPDIR}, {@code HEARTH_ENTRYPOINT}, then the function's own variables, which may override them.
 */
public record FunctionWorkspace(Path workDir, Path code, Path home, Path tmp, Map<String, String> environment) {

    public static Path codeDir(Path workDir) {
        return workDir.resolve("code");
    }

    /** Creates {@code home/} and {@code tmp/} (the code directory comes from extraction). Blocking. */
    public static FunctionWorkspace prepare(Path workDir, Specialization specialization) throws IOException {
        Path code = Files.createDirectories(codeDir(workDir));
        Path home = Files.createDirectories(workDir.resolve("home"));
        Path tmp = Files.createDirectories(workDir.resolve("tmp"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("HOME", home.toString());
        env.put("TMPDIR", tmp.toString());
        env.put("HEARTH_ENTRYPOINT", specialization.entrypoint());
        env.putAll(specialization.env());
        return new FunctionWorkspace(workDir, code, home, tmp, Map.copyOf(env));
    }
}
