package dev.hearth.pool.docker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;

import dev.hearth.runner.testing.TestDistribution;
import dev.hearth.runner.testing.docker.LocalImages;

/**
 * The Docker Engine the Docker driver's tests run against: the one {@code .ci/run} starts ({@code .ci/docker-engine},
 * host networking, nothing pulled), named by {@code DOCKER_HOST}, which the driver under test is given too. A test
 * class using it fails, never skips, when the variable is unset, no Engine answers or a local base is missing
 * ({@link LocalImages}). Before the first such class of a JVM it takes the shared runner distribution
 * ({@link TestDistribution}) and builds the images from the repository's Dockerfiles on the local bases: the pool image
 * ({@code docker/testing/pod}) under several names and the runner's init image ({@link LocalImages#runnerImage}).
 * Unchanged, each comes from the Engine's layer cache in a second.
 */
public final class DockerTestEngine implements BeforeAllCallback {

    /** Every pool's image in the tests: busybox, {@code sh} and {@code httpd}. */
    public static final String BUSYBOX = "hearth-test/busybox:1";
    /** The same image under other names, for tests that need several pools (a pool is an image). */
    public static final List<String> ALIASES = List.of("hearth-test/shell:1", "hearth-test/httpd:1",
            "hearth-test/once:1", "hearth-test/other:1");

    private static Path distribution;
    private static String runnerImage;
    private static DockerClient client;

    @Override
    public void beforeAll(ExtensionContext context) {
        prepare();
    }

    /** Checks the Engine and makes the distribution and images, once per test JVM. */
    public static synchronized void prepare() {
        if (client != null) {
            return;
        }
        host();
        DockerClient docker = LocalImages.requireEngine();
        long started = System.nanoTime();
        Path dist = TestDistribution.current();
        String pod = LocalImages.dockerfile(BUSYBOX, "docker/testing/pod/Dockerfile")
                .arg("BASE", LocalImages.BUSYBOX)
                .get();
        ALIASES.forEach(alias -> tag(docker, pod, alias));
        runnerImage = LocalImages.runnerImage(dist);
        System.out.printf("Docker test fixtures (distribution and images) ready in %d ms%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        distribution = dist;
        client = docker;
    }

    /** {@code DOCKER_HOST}; fails the test when it is not set. */
    public static String host() {
        String host = System.getenv("DOCKER_HOST");
        if (host == null || host.isBlank()) {
            throw new AssertionError("DOCKER_HOST is not set: the Docker tests need a Docker Engine with host"
                    + " networking and DOCKER_HOST naming its socket. Run them through .ci/run, or start one:"
                    + " eval \"$(.ci/docker-engine start)\" && docker/bases.sh (README.md, 'How the tests use Docker')");
        }
        return host;
    }

    /** The runner distribution directory, to bind-mount at {@code /opt/hearth}. */
    public static synchronized Path distribution() {
        prepare();
        return distribution;
    }

    /** The runner's init image: the distribution at {@code /hearth}, owned by 10001. */
    public static synchronized String runnerImage() {
        prepare();
        return runnerImage;
    }

    /** The Engine's client, for what the tests do behind the driver's back (kill, inspect, list). */
    public static synchronized DockerClient client() {
        prepare();
        return client;
    }

    /** Every container, running or not, carrying {@code installation}'s label. */
    public static List<Container> containersOf(String installation) {
        return client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerLabels.INSTALLATION, installation)).exec();
    }

    private static void tag(DockerClient docker, String image, String alias) {
        String[] parts = alias.split(":", 2);
        docker.tagImageCmd(image, parts[0], parts[1]).withForce().exec();
    }
}
