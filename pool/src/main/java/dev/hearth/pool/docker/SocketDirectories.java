package dev.hearth.pool.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The host directories through which the gateway reaches the runners of pods with a network namespace of their own
 * (DESIGN.md, "Docker (one host)"): {@code <socket-dir>/<installation>/}, and in it one directory per pod, named by the
 * random part of its id, bind-mounted at {@link #MOUNT} where the runner makes its socket.
 *
 * <p>Who can connect: the installation's directory is {@code 0700}, owned by the gateway's user, so no other user of
 * the host (root aside) can reach any socket under it. A pod's directory is {@code 0777}: the pod's user (root for Open
 * Runtimes images, {@code 10001} by default) must create its socket there whoever the gateway runs as, and only that
 * pod sees it. Every call but health still needs the pod's secret. Blocking file operations: call off event loops.
 */
public final class SocketDirectories {

    /** Where a pod's directory is mounted in its container. */
    public static final String MOUNT = "/run/hearth";
    public static final String SOCKET_NAME = "runner.sock";
    /** The runner's socket as the container sees it. */
    public static final String SOCKET_IN_POD = MOUNT + "/" + SOCKET_NAME;
    /** {@code sun_path} holds 108 bytes, its terminating NUL included. */
    static final int MAX_SOCKET_PATH = 107;
    /** The random part of a pod id: {@code Secrets.hex(6)}. */
    private static final int POD_KEY_LENGTH = 12;

    private final Path root;

    public SocketDirectories(DockerDriverConfig config) {
        this.root = config.socketDir().resolve(config.installation());
    }

    /** Errors naming {@code socket-dir} when a pod's socket path under it would not fit a socket address. */
    static void requireShortEnough(Path socketDir, String installation) {
        String longest = socketDir.resolve(installation).resolve("x".repeat(POD_KEY_LENGTH)).resolve(SOCKET_NAME)
                .toString();
        int length = longest.getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH) {
            throw new IllegalArgumentException("socket-dir must be short enough for a pod's socket path, "
                    + longest + " (" + length + " bytes, at most " + MAX_SOCKET_PATH + "), but was " + socketDir);
        }
    }

    /**
     * Makes the installation's directory {@code 0700} (changing the mode also proves the gateway owns it) and removes
     * what a previous run left in it: its pods are gone, their containers removed by the start's sweep.
     */
    public int prepare() throws IOException {
        Files.createDirectories(root);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        List<Path> left;
        try (Stream<Path> children = Files.list(root)) {
            left = children.toList();
        }
        for (Path child : left) {
            deleteTree(child);
        }
        return left.size();
    }

    /** A new, empty directory for pod {@code podId}. */
    public Path create(String podId) throws IOException {
        Path directory = Files.createDirectory(directoryOf(podId));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));
        return directory;
    }

    /** Removes the pod's directory and its socket. Idempotent. */
    public void remove(Path directory) throws IOException {
        if (!directory.startsWith(root)) {
            throw new IllegalArgumentException(directory + " is not under " + root);
        }
        deleteTree(directory);
    }

    /** Pod directories present now; tests use it to prove nothing leaked. */
    public int count() throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        try (Stream<Path> children = Files.list(root)) {
            return (int) children.count();
        }
    }

    private Path directoryOf(String podId) {
        return root.resolve(podId.substring(Math.max(0, podId.length() - POD_KEY_LENGTH)));
    }

    private static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(path)) {
            for (Path each : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(each);
            }
        }
    }
}
