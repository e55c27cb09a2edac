package dev.hearth.runner.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the distribution test needs from the host, each named with the Debian package that provides it. A
 * missing one fails the test with that name: the test proves a claim, so it never skips.
 */
final class Prerequisites {

    static final Path BUSYBOX = Path.of("/bin/busybox");
    static final Path MUSL_LOADER = Path.of("/lib/ld-musl-x86_64.so.1");

    private Prerequisites() {
    }

    /** Fails with every missing prerequisite at once. */
    static void check() {
        List<String> missing = new ArrayList<>();
        requireCommand(missing, "patchelf", "patchelf");
        requireCommand(missing, "gcc", "gcc");
        requireFile(missing, Path.of("/usr/lib/x86_64-linux-gnu/libc.a"), "libc6-dev (static libc for the launcher)");
        requireCommand(missing, "musl-gcc", "musl-tools");
        requireFile(missing, MUSL_LOADER, "musl");
        requireCommand(missing, "unshare", "util-linux");
        requireCommand(missing, "chroot", "coreutils");
        requireCommand(missing, "mount", "mount");
        requireFile(missing, Path.of(System.getProperty("java.home"), "jmods"),
                "a JDK with jmods (Debian: openjdk-17-jdk-headless)");
        if (!Files.isExecutable(BUSYBOX) || !isStatic(BUSYBOX)) {
            missing.add(BUSYBOX + " statically linked: busybox-static");
        }
        if (!missing.isEmpty()) {
            throw new AssertionError("The runner distribution test needs: " + String.join(", ", missing)
                    + " (.ci/run installs them: apt-get install patchelf busybox-static musl musl-tools)");
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** True when the ELF file has no interpreter, which {@code patchelf --print-interpreter} reports as an error. */
    static boolean isStatic(Path elf) {
        return run("patchelf", "--print-interpreter", elf.toString()) != 0;
    }

    private static void requireCommand(List<String> missing, String command, String packageName) {
        if (run("sh", "-c", "command -v " + command) != 0) {
            missing.add(command + ": " + packageName);
        }
    }

    private static void requireFile(List<String> missing, Path file, String packageName) {
        if (!Files.exists(file)) {
            missing.add(file + ": " + packageName);
        }
    }

    static int run(String... command) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
