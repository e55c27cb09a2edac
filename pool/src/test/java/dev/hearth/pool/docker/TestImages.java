package dev.hearth.pool.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;

/**
 * The images the Docker tests run, made locally (nothing can be pulled) and idempotently: an image that exists with
 * the content it should have is kept. A busybox root filesystem ({@code busybox-static}) imported with
 * {@code docker import} is every pool's image: it has the {@code sh} {@code exec} functions need and the
 * {@code httpd} an {@code http} function can be. The runner image is that root filesystem plus the distribution at
 * {@code /hearth} owned by 10001, as {@code docker/runner} lays it out.
 */
final class TestImages {

    static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final String STAMP_LABEL = "dev.hearth.test.stamp";
    private static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(3);

    private TestImages() {
    }

    /** Makes {@code image} from the busybox root filesystem, unless it exists. */
    static void busybox(DockerClient docker, String host, String image) {
        if (stamp(docker, image) != null) {
            return;
        }
        withRootFs(root -> importImage(host, image, "busybox", List.of("-C", root.toString(), "--owner=0",
                "--group=0", ".")));
    }

    /** Makes {@code image} from the busybox root filesystem and {@code dist} at {@code /hearth}, unless it is current. */
    static void runner(DockerClient docker, String host, String image, Path dist) {
        String stamp = Integer.toHexString(readStamp(dist).hashCode());
        if (stamp.equals(stamp(docker, image))) {
            return;
        }
        withRootFs(root -> importImage(host, image, stamp, List.of("--owner=10001", "--group=10001",
                "-C", root.toString(), ".", "-C", dist.getParent().toString(), dist.getFileName().toString())));
    }

    /** Another name for {@code image}. */
    static void tag(DockerClient docker, String image, String alias) {
        String[] parts = alias.split(":", 2);
        docker.tagImageCmd(image, parts[0], parts[1]).withForce().exec();
    }

    private static String stamp(DockerClient docker, String image) {
        try {
            InspectImageResponse inspect = docker.inspectImageCmd(image).exec();
            Map<String, String> labels = inspect.getConfig() == null ? null : inspect.getConfig().getLabels();
            return labels == null ? "" : labels.getOrDefault(STAMP_LABEL, "");
        } catch (NotFoundException missing) {
            return null;
        }
    }

    private static void importImage(String host, String image, String stamp, List<String> tarArguments) {
        String tar = "tar -c " + String.join(" ", tarArguments.stream().map(TestImages::quote).toList());
        String docker = "docker -H " + quote(host) + " import -c " + quote("LABEL " + STAMP_LABEL + "=" + stamp)
                + " -c " + quote("CMD [\"/bin/sh\"]") + " - " + quote(image);
        HostCommand.run(IMPORT_TIMEOUT, Map.of(), "bash", "-c", "set -o pipefail; " + tar + " | " + docker);
    }

    private interface RootFsUser {
        void use(Path root) throws IOException;
    }

    private static void withRootFs(RootFsUser user) {
        if (!Files.isExecutable(BUSYBOX)) {
            throw new AssertionError("the Docker tests make their images from " + BUSYBOX + ": apt-get install busybox-static");
        }
        try {
            Path root = Files.createTempDirectory("hearth-test-rootfs");
            try {
                for (String dir : List.of("bin", "etc", "tmp", "proc", "dev", "sys", "opt/hearth", "mnt/code", "mnt/logs")) {
                    Files.createDirectories(root.resolve(dir));
                }
                Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
                Files.copy(BUSYBOX, root.resolve("bin/busybox"));
                String applets = HostCommand.run(Duration.ofSeconds(10), Map.of(), BUSYBOX.toString(), "--list");
                for (String applet : applets.split("\n")) {
                    if (!applet.isBlank() && !applet.trim().equals("busybox")) {
                        Files.createSymbolicLink(root.resolve("bin").resolve(applet.trim()), Path.of("busybox"));
                    }
                }
                Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                        + "hearth:x:10001:10001:hearth:/tmp:/bin/sh\n");
                Files.writeString(root.resolve("etc/group"), "root:x:0:\nhearth:x:10001:\n");
                user.use(root);
            } finally {
                TestDistribution.deleteTree(root);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readStamp(Path dist) {
        try {
            return Files.readString(dist.resolveSibling("stamp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
