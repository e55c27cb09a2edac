package dev.hearth.runner.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import dev.hearth.runner.testing.Shell;

/**
 * A root filesystem shaped like a small Alpine image and holding no glibc at all: a static busybox as
 * {@code /bin/sh} and its applets, musl's dynamic loader at {@code /lib/ld-musl-x86_64.so.1}, and
 * {@link #PROBE}, a program dynamically linked against musl, as the image's own software would be.
 * {@code /opt/hearth}, {@code /proc}, {@code /dev} and {@code /tmp} are empty mount points.
 */
final class ForeignRootFs {

    /** Prints the {@code LD_*} variables it got and the files mapped into it, one a line. */
    static final String PROBE = "/usr/bin/hearth-probe";

    private static final String PROBE_SOURCE = """
            #include <stdio.h>
            #include <string.h>
            extern char **environ;
            int main(void) {
                for (char **e = environ; *e != NULL; e++) {
                    if (strncmp(*e, "LD_", 3) == 0) printf("env %s\\n", *e);
                }
                FILE *maps = fopen("/proc/self/maps", "r");
                if (maps == NULL) { perror("maps"); return 1; }
                char line[4096];
                while (fgets(line, sizeof line, maps) != NULL) {
                    char *path = strchr(line, '/');
                    if (path != NULL) printf("map %s", path);
                }
                return 0;
            }
            """;

    private final Path root;

    private ForeignRootFs(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    static ForeignRootFs create(Path root) throws IOException {
        for (String dir : List.of("bin", "lib", "usr/bin", "etc", "proc", "dev", "tmp", "opt/hearth")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.copy(Prerequisites.BUSYBOX, root.resolve("bin/busybox"));
        for (String applet : Shell.run(Duration.ofSeconds(10), Prerequisites.BUSYBOX.toString(), "--list").split("\n")) {
            if (!applet.isBlank() && !applet.equals("busybox")) {
                Files.createSymbolicLink(root.resolve("bin").resolve(applet.trim()), Path.of("busybox"));
            }
        }
        // The loader is musl's libc itself; copied, not linked, so nothing points back to the host.
        Files.copy(Prerequisites.MUSL_LOADER.toRealPath(), root.resolve("lib/ld-musl-x86_64.so.1"));
        compileProbe(root);
        Files.writeString(root.resolve("etc/os-release"), "NAME=\"hearth test image without glibc\"\n");
        ForeignRootFs rootFs = new ForeignRootFs(root);
        rootFs.assertNoGlibc();
        return rootFs;
    }

    private static void compileProbe(Path root) throws IOException {
        Path source = Files.createTempFile("hearth-probe", ".c");
        try {
            Files.writeString(source, PROBE_SOURCE, StandardCharsets.UTF_8);
            Path binary = root.resolve(PROBE.substring(1));
            Shell.run(Duration.ofMinutes(1), "musl-gcc", "-O2", "-o", binary.toString(), source.toString());
            assertThat(Shell.run(Duration.ofSeconds(10), "patchelf", "--print-interpreter", binary.toString()).trim())
                    .as("the probe is dynamically linked against musl")
                    .isEqualTo("/lib/ld-musl-x86_64.so.1");
        } finally {
            Files.delete(source);
        }
    }

    /** The claim under test needs an image with no glibc outside {@code /opt/hearth}; this checks the premise. */
    void assertNoGlibc() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.map(root::relativize).map(Path::toString))
                    .as("files of the root filesystem")
                    .noneMatch(p -> p.startsWith("opt/hearth/"))
                    .noneMatch(p -> p.matches(".*(libc\\.so\\.6|ld-linux-x86-64\\.so\\.2|libc-2\\.[0-9]+\\.so)$"));
        }
        assertThat(Prerequisites.isStatic(root.resolve("bin/busybox"))).as("/bin/busybox is static").isTrue();
    }
}
