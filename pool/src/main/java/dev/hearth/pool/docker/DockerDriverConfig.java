package dev.hearth.pool.docker;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Driver-wide Docker settings (DESIGN.md, "Docker (one host)"). Immutable; each part validates itself and names the
 * bad value.
 *
 * @param host           the Engine's address: {@code unix:///var/run/docker.sock} (or {@code tcp://host:port}, no TLS)
 * @param installation   this installation's id, on every container and volume it makes: the start sweep removes the
 *                       containers of this id (and of no other), the event stream is filtered on it. Two gateways on
 *                       one Engine need two ids
 * @param runner         where the runner distribution mounted read-only at {@code /opt/hearth} comes from
 * @param runnerPort     the port every pod's runner listens on, each on its own loopback address
 * @param addresses      the loopback addresses pods get, one each; an address something else listens on is skipped
 * @param requestTimeout how long one Engine call may take (not the event stream, which has no timeout)
 * @param socketDir      a directory of this host under which pods not on the host's network get their runner's socket
 *                       ({@link SocketDirectories}); an absolute path short enough for a socket path
 */
public record DockerDriverConfig(String host, String installation, RunnerSource runner, int runnerPort,
                                 AddressRange addresses, Duration requestTimeout, Path socketDir) {

    /** Docker's container-name characters; the installation is part of every container's name. */
    private static final Pattern INSTALLATION = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,39}");

    public DockerDriverConfig {
        URI uri = URI.create(Objects.requireNonNull(host, "host"));
        if (!"unix".equals(uri.getScheme()) && !"tcp".equals(uri.getScheme())) {
            throw new IllegalArgumentException("host must be unix:///path or tcp://host:port, but was '" + host + "'");
        }
        if (installation == null || !INSTALLATION.matcher(installation).matches()) {
            throw new IllegalArgumentException("installation must match " + INSTALLATION + ", but was '"
                    + installation + "'");
        }
        Objects.requireNonNull(runner, "runner");
        if (runnerPort < 1 || runnerPort > 65535) {
            throw new IllegalArgumentException("runner-port must be between 1 and 65535, but was " + runnerPort);
        }
        Objects.requireNonNull(addresses, "addresses");
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request-timeout must be positive, but was " + requestTimeout);
        }
        if (socketDir == null || !socketDir.isAbsolute()) {
            throw new IllegalArgumentException("socket-dir must be an absolute directory, but was " + socketDir);
        }
        socketDir = socketDir.normalize();
        SocketDirectories.requireShortEnough(socketDir, installation);
    }

    /** A host name made fit to be an installation id: lower case, other characters as '-', at most 40. */
    public static String installationFrom(String hostName) {
        String id = hostName.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-")
                .replaceAll("^[^a-z0-9]+", "");
        id = id.length() > 40 ? id.substring(0, 40) : id;
        return id.isEmpty() ? "hearth" : id;
    }

    /** Where {@code /opt/hearth} comes from. */
    public sealed interface RunnerSource permits RunnerPath, RunnerVolume {
    }

    /** A distribution directory on the host ({@code docker/runner/build-dist.sh --out DIR}), bind-mounted read-only. */
    public record RunnerPath(Path directory) implements RunnerSource {
        public RunnerPath {
            if (directory == null || !directory.isAbsolute()) {
                throw new IllegalArgumentException("runner-path must be an absolute directory, but was " + directory);
            }
        }
    }

    /**
     * A named volume, mounted read-only. With an {@code image} (the runner image), the driver fills the volume at start
     * by running {@code installCommand} in that image with the volume at {@code /opt/hearth}, as the Kubernetes init
     * container does; without one, the volume is expected filled already.
     */
    public record RunnerVolume(String name, String image, List<String> installCommand) implements RunnerSource {
        public static final List<String> DEFAULT_INSTALL_COMMAND = List.of("cp", "-Rp", "/hearth/.", "/opt/hearth/");

        public RunnerVolume {
            if (name == null || !name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+")) {
                throw new IllegalArgumentException("runner-volume must be a volume name, but was '" + name + "'");
            }
            image = image == null || image.isBlank() ? null : image;
            installCommand = List.copyOf(Objects.requireNonNullElse(installCommand, DEFAULT_INSTALL_COMMAND));
        }
    }

    /** Loopback addresses {@code first} to {@code last}, both in 127.0.0.0/8 and neither 127.0.0.1 (the host's). */
    public record AddressRange(String first, String last) {
        public AddressRange {
            int from = LoopbackAddresses.toInt(first, "addresses");
            int to = LoopbackAddresses.toInt(last, "addresses");
            if (from > to) {
                throw new IllegalArgumentException("addresses must go up, but were " + first + "-" + last);
            }
            if (from <= LoopbackAddresses.toInt("127.0.0.1", "addresses")) {
                throw new IllegalArgumentException("addresses must start above 127.0.0.1 (the host's own), but were "
                        + first + "-" + last);
            }
        }

        /** {@code "127.0.0.2-127.0.0.254"}. */
        public static AddressRange parse(String range) {
            String[] ends = Objects.requireNonNull(range, "addresses").split("-", 2);
            if (ends.length != 2) {
                throw new IllegalArgumentException("addresses must be FIRST-LAST, e.g. 127.0.0.2-127.0.0.254, but was '"
                        + range + "'");
            }
            return new AddressRange(ends[0].trim(), ends[1].trim());
        }

        public int size() {
            return LoopbackAddresses.toInt(last, "addresses") - LoopbackAddresses.toInt(first, "addresses") + 1;
        }
    }
}
