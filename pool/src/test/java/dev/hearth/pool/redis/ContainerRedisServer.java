package dev.hearth.pool.redis;

import java.time.Duration;
import java.util.List;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.hearth.runner.testing.docker.LocalImages;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * {@code redis-server} in a Testcontainers container of {@link #IMAGE} ({@code docker/testing/redis}: Debian's
 * redis-server on the local Debian base, built once per JVM), with host networking: the engine has no bridge and
 * no mapped ports, so the server listens on the host's loopback at the port the fixture chose, exactly like the
 * process. A kill is {@code docker kill} (SIGKILL) and a start after it restarts the same container on the same
 * port, empty; pause and resume are {@code docker pause} and {@code unpause} (the cgroup freezer).
 */
final class ContainerRedisServer implements RedisServer {

    static final String IMAGE = "hearth-local/redis:test";

    private static volatile String built;

    private final int port;
    private GenericContainer<?> container;

    ContainerRedisServer(int port) {
        this.port = port;
    }

    @Override
    public synchronized void start() {
        if (container == null) {
            container = new GenericContainer<>(image())
                    .withNetworkMode("host")
                    .withCommand("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                            "--save", "", "--appendonly", "no", "--daemonize", "no")
                    .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1)
                            .withStartupTimeout(Duration.ofSeconds(30)));
            container.start();
        } else if (!running()) {
            docker().startContainerCmd(container.getContainerId()).exec();
        }
    }

    @Override
    public synchronized void kill() {
        if (running()) {
            docker().killContainerCmd(container.getContainerId()).exec();
        }
    }

    @Override
    public synchronized void pause() {
        requireRunning();
        docker().pauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public synchronized void resume() {
        requireRunning();
        docker().unpauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public synchronized boolean running() {
        if (container == null || container.getContainerId() == null) {
            return false;
        }
        InspectContainerResponse.ContainerState state = docker().inspectContainerCmd(container.getContainerId())
                .exec().getState();
        return Boolean.TRUE.equals(state.getRunning());
    }

    @Override
    public synchronized String logTail() {
        if (container == null || container.getContainerId() == null) {
            return "(no container)";
        }
        List<String> lines = container.getLogs().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    @Override
    public synchronized void close() {
        if (container != null) {
            container.stop();
            container = null;
        }
    }

    private void requireRunning() {
        if (!running()) {
            throw new IllegalStateException("the redis-server container is not running");
        }
    }

    private static DockerClient docker() {
        return LocalImages.requireEngine();
    }

    private static String image() {
        if (built == null) {
            synchronized (ContainerRedisServer.class) {
                if (built == null) {
                    built = LocalImages.dockerfile(IMAGE, "docker/testing/redis/Dockerfile")
                            .arg("BASE", LocalImages.DEBIAN)
                            .get();
                }
            }
        }
        return built;
    }
}
