package dev.hearth.pool.docker;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

/**
 * The Docker Engine the Docker tests run against, {@code DOCKER_HOST} ({@code unix:///...}), with host networking
 * (containers listen on loopback addresses). A test class using it fails, never skips, when the variable is unset or
 * no Engine answers there. Before the first such class of a run it builds the runner distribution
 * ({@link TestDistribution}) and makes the images ({@link TestImages}); both are kept for the next run when current.
 */
public final class DockerTestEngine implements BeforeAllCallback {

    /** Every pool's image in the tests: busybox, {@code sh} and {@code httpd}. */
    public static final String BUSYBOX = "hearth-test/busybox:1";
    /** The same image under other names, for tests that need several pools (a pool is an image). */
    public static final List<String> ALIASES = List.of("hearth-test/shell:1", "hearth-test/httpd:1",
            "hearth-test/once:1", "hearth-test/other:1");
    /** The runner image: busybox with the distribution at {@code /hearth}, owned by 10001. */
    public static final String RUNNER_IMAGE = "hearth-test/runner:1";

    private static Path distribution;
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
        String host = host();
        DockerClient docker = client(host);
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            throw new AssertionError("No Docker Engine answers at DOCKER_HOST=" + host + " (" + e + "). The Docker"
                    + " tests need one with host networking; start it as README.md, 'On a Docker host', says.", e);
        }
        long started = System.nanoTime();
        Path dist = TestDistribution.current();
        TestImages.busybox(docker, host, BUSYBOX);
        ALIASES.forEach(alias -> TestImages.tag(docker, BUSYBOX, alias));
        TestImages.runner(docker, host, RUNNER_IMAGE, dist);
        System.out.printf("Docker test fixtures (distribution and images) ready in %d ms%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        distribution = dist;
        client = docker;
    }

    /** {@code DOCKER_HOST}; fails the test when it is not set. */
    public static String host() {
        String host = System.getenv("DOCKER_HOST");
        if (host == null || host.isBlank()) {
            throw new AssertionError("DOCKER_HOST is not set: the Docker tests need a Docker Engine (host networking,"
                    + " e.g. dockerd --bridge=none ... -H unix:///run/hearth-docker.sock) and DOCKER_HOST naming its"
                    + " socket; README.md, 'On a Docker host', says how CI starts one.");
        }
        return host;
    }

    /** The runner distribution directory, to bind-mount at {@code /opt/hearth}. */
    public static synchronized Path distribution() {
        prepare();
        return distribution;
    }

    /** A plain docker-java client for what the tests do behind the driver's back (kill, inspect, list). */
    public static synchronized DockerClient client() {
        prepare();
        return client;
    }

    /** Every container, running or not, carrying {@code installation}'s label. */
    public static List<Container> containersOf(String installation) {
        return client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerLabels.INSTALLATION, installation)).exec();
    }

    private static DockerClient client(String host) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host)
                .withDockerTlsVerify(false)
                .build();
        return DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                .dockerHost(URI.create(host))
                .responseTimeout(Duration.ofSeconds(60))
                .build());
    }
}
