package dev.hearth.pool.redis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.hearth.runner.testing.docker.LocalImages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One way of running {@code redis-server} on a fixed loopback port for {@link RedisServerExtension}: a
 * Testcontainers container ({@link ContainerRedisServer}) or a local process ({@link ProcessRedisServer}). Both
 * run Debian's redis-server with the same arguments, and both lose their data on {@link #kill()}.
 *
 * <p>Which one: {@code -Dhearth.test.redis=} or {@code HEARTH_TEST_REDIS=} {@code container}, {@code process} or
 * {@code auto} (the default: a container when a Docker Engine is reachable, otherwise the process). {@code .ci/run},
 * which starts an engine, asks for {@code container}, so a missing engine fails there instead of falling back.
 * The choice is logged once per test JVM.
 */
interface RedisServer {

    /** Starts the server, or starts it again after {@link #kill()}; the caller waits until it answers PING. */
    void start() throws IOException, InterruptedException;

    /** Kills it as a crash looks to clients (SIGKILL); {@link #start()} brings it back on the same port. */
    void kill();

    /** Freezes it: connections stay open but nothing answers, as with a hung Redis. */
    void pause();

    /** Undoes {@link #pause()}. */
    void resume();

    /** True from a start to a kill, paused or not. */
    boolean running();

    /** The last lines of the server's log, for failure messages. */
    String logTail();

    /** Kills it and removes what it made (container, files). */
    void close() throws IOException;

    /** The server of the kind this run uses, for {@code port}, with {@code dir} for its files. */
    static RedisServer create(int port, Path dir) {
        return Choice.get().container
                ? new ContainerRedisServer(port)
                : new ProcessRedisServer(port, dir);
    }

    /** The kind, decided and logged once per JVM. */
    final class Choice {

        private static final Logger log = LoggerFactory.getLogger(RedisServerExtension.class);
        private static final AtomicBoolean logged = new AtomicBoolean();
        private static volatile Choice choice;

        final boolean container;

        private Choice(boolean container) {
            this.container = container;
        }

        static Choice get() {
            if (choice == null) {
                synchronized (Choice.class) {
                    if (choice == null) {
                        choice = decide();
                    }
                }
            }
            return choice;
        }

        private static Choice decide() {
            String asked = System.getProperty("hearth.test.redis", System.getenv("HEARTH_TEST_REDIS"));
            String mode = asked == null || asked.isBlank() ? "auto" : asked.trim().toLowerCase(Locale.ROOT);
            Choice decided = switch (mode) {
                case "container" -> new Choice(true);
                case "process" -> new Choice(false);
                case "auto" -> new Choice(LocalImages.engineReachable());
                default -> throw new IllegalArgumentException("hearth.test.redis / HEARTH_TEST_REDIS must be"
                        + " container, process or auto, but was " + asked);
            };
            if (logged.compareAndSet(false, true)) {
                log.info("Redis test fixture: {} ({})", decided.container
                                ? "a Testcontainers container of " + ContainerRedisServer.IMAGE
                                  + " on the Docker Engine at " + System.getenv().getOrDefault("DOCKER_HOST", "the default socket")
                                : "a local redis-server process",
                        mode.equals("auto")
                                ? (decided.container ? "a Docker Engine is reachable" : "no Docker Engine is reachable")
                                : "asked for by hearth.test.redis / HEARTH_TEST_REDIS=" + mode);
            }
            return decided;
        }
    }
}
