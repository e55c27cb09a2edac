package dev.hearth.pool.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;

import dev.hearth.pool.ImagePool;
import dev.hearth.pool.Pod;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.Secrets;
import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.Specialization;
import dev.hearth.runner.testing.TarGz;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The Docker driver against a real Engine ({@link DockerTestEngine}): pods are containers of a busybox image running the
 * runner distribution built from this build's jars. Every test checks at its end that no container of its installation
 * is left.
 */
@ExtendWith(DockerTestEngine.class)
class DockerPodDriverIT {

    private static final Duration BLOCK = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int RUNNER_PORT = freePort();
    /** Short: a socket path has at most 107 bytes. */
    private static final Path SOCKETS = Path.of(System.getProperty("java.io.tmpdir"), "hearth-it-sockets");
    private static final DockerPoolSpec SPEC = DockerPoolSpec.DEFAULTS.withCpus(0.5).withMemoryBytes(300L << 20)
            .withPidsLimit(200).withEnv(Map.of("GREETING", "hello"));
    private static final String PROBE = """
            id -u; id -g
            grep -E '^(CapEff|NoNewPrivs):' /proc/self/status
            touch /probe 2>&1 || true
            touch /tmp/ok /mnt/code/ok /mnt/logs/ok && echo writable
            echo "pids $(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max)"
            echo "memory $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max)"
            """;

    private final String installation = "it-pool-" + Secrets.hex(3);
    private final RunnerClient runners = RunnerClient.create(Duration.ofSeconds(2));
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @AfterEach
    void nothingLeft() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            closeAfter.get(i).close();
        }
        assertThat(DockerTestEngine.containersOf(installation)).as("containers of " + installation + " after the test")
                .isEmpty();
    }

    @Test
    void warmPodRunsTheRunnerWithTheSecurityDefaults() {
        DockerPodDriver driver = started(installation, runnerPath());
        Pod pod = driver.create(pool(DockerTestEngine.BUSYBOX, 1)).block(BLOCK);

        InspectContainerResponse inspect = DockerTestEngine.client().inspectContainerCmd(pod.id()).exec();
        HostConfig host = inspect.getHostConfig();
        assertThat(inspect.getConfig().getUser()).as("user").isEqualTo("10001:10001");
        assertThat(host.getReadonlyRootfs()).as("read-only root").isTrue();
        assertThat(host.getCapDrop()).as("dropped capabilities").containsExactly(Capability.ALL);
        assertThat(host.getSecurityOpts()).as("security options").contains("no-new-privileges");
        assertThat(host.getPrivileged()).as("privileged").isFalse();
        assertThat(host.getNanoCPUs()).as("cpu limit").isEqualTo(500_000_000L);
        assertThat(host.getMemory()).as("memory limit").isEqualTo(300L << 20);
        assertThat(host.getMemorySwap()).as("memory + swap limit: no swap").isEqualTo(300L << 20);
        assertThat(host.getPidsLimit()).as("pids limit").isEqualTo(200L);
        assertThat(host.getNetworkMode()).as("network").isEqualTo("host");
        assertThat(host.getTmpFs()).as("tmpfs mounts").containsOnlyKeys("/tmp", "/mnt/code", "/mnt/logs");
        assertThat(inspect.getConfig().getLabels()).as("labels")
                .containsEntry(DockerLabels.INSTALLATION, installation)
                .containsEntry(DockerLabels.POOL, DockerTestEngine.BUSYBOX)
                .containsEntry(DockerLabels.STATE, DockerLabels.STATE_WARM)
                .containsEntry(DockerLabels.POD_ID, pod.id())
                .allSatisfy((key, value) -> assertThat(value).as("label " + key).doesNotContain(pod.secret()));
        assertThat(inspect.getMounts()).as("mounts").anySatisfy(mount -> {
            assertThat(mount.getDestination().getPath()).isEqualTo("/opt/hearth");
            assertThat(mount.getRW()).as("runner mount writable").isFalse();
        });
        assertThat(inspect.getConfig().getEnv()).as("environment")
                .contains("GREETING=hello", "HEARTH_RUNNER_HOST=" + pod.host(), "HEARTH_RUNNER_CODE_DIR=/mnt/code",
                        "HEARTH_RUNNER_TMP_DIR=/tmp", "HEARTH_RUNNER_WORK_DIR=/tmp/hearth-runner");
        assertThat(pod.host()).as("the pod's own loopback address").matches("127\\.0\\.0\\.\\d+").isNotEqualTo("127.0.0.1");

        String output = execute(pod, PROBE);

        assertThat(output).as("what a function sees inside the container")
                .startsWith("10001\n10001\n")
                .contains("CapEff:\t0000000000000000")
                .contains("NoNewPrivs:\t1")
                .contains("Read-only file system")
                .contains("writable")
                .contains("pids 200")
                .contains("memory " + (300L << 20));
    }

    @Test
    void deleteRemovesTheContainerFreesItsAddressAndIsIdempotent() {
        DockerPodDriver driver = started(installation, runnerPath());
        Pod pod = driver.create(pool(DockerTestEngine.BUSYBOX, 1)).block(BLOCK);
        assertThat(DockerTestEngine.containersOf(installation)).as("containers after create").hasSize(1);

        driver.delete(pod.id()).block(BLOCK);
        driver.delete(pod.id()).block(BLOCK);

        assertThat(DockerTestEngine.containersOf(installation)).as("containers after delete").isEmpty();
        assertThat(driver.livePods()).as("pods tracked").isZero();
        assertThat(driver.heldAddresses()).as("addresses held").isZero();
    }

    @Test
    void poolKeepsItsSizeAndReplacesAContainerKilledFromOutside() {
        DockerPodDriver driver = started(installation, runnerPath());
        List<String> ended = new CopyOnWriteArrayList<>();
        Disposable watching = driver.terminations().subscribe(ended::add);
        closeAfter.add(watching::dispose);
        ImagePool pool = new ImagePool(pool(DockerTestEngine.BUSYBOX, 2), driver, PoolObserver.NONE);
        closeAfter.add(pool::close);
        pool.start();
        await("pool at size").atMost(WAIT).until(() -> pool.metrics().warm() == 2);
        String victim = DockerTestEngine.containersOf(installation).get(0).getNames()[0].substring(1);

        DockerTestEngine.client().killContainerCmd(victim).exec();

        await("the killed pod reported as ended").atMost(WAIT).until(() -> ended.contains(victim));
        await("the killed container removed and replaced").atMost(WAIT).until(() -> {
            List<String> names = names(DockerTestEngine.containersOf(installation));
            return pool.metrics().warm() == 2 && names.size() == 2 && !names.contains(victim);
        });
    }

    @Test
    void restartedDriverRemovesItsPredecessorsContainersButNoOneElses() {
        DockerPodDriver first = started(installation, runnerPath());
        first.create(pool(DockerTestEngine.BUSYBOX, 1)).block(BLOCK);
        first.create(pool(DockerTestEngine.BUSYBOX, 0)).block(BLOCK);
        String other = "it-other-" + Secrets.hex(3);
        String foreign = sleeper(Map.of(DockerLabels.INSTALLATION, other, DockerLabels.POD_ID, "x"));
        String unlabelled = sleeper(Map.of());
        assertThat(DockerTestEngine.containersOf(installation)).as("the first driver's containers").hasSize(2);

        // The gateway died: its driver was never closed. A new one of the same installation starts.
        DockerPodDriver second = started(installation, runnerPath());

        assertThat(DockerTestEngine.containersOf(installation)).as("the predecessor's containers").isEmpty();
        assertThat(DockerTestEngine.client().inspectContainerCmd(foreign).exec().getState().getRunning())
                .as("another installation's container still runs").isTrue();
        assertThat(DockerTestEngine.client().inspectContainerCmd(unlabelled).exec().getState().getRunning())
                .as("an unlabelled container still runs").isTrue();
        assertThat(second.livePods()).as("pods the new driver tracks").isZero();
    }

    @Test
    void runsTheRunnerFromAVolumeFilledByTheRunnerImage() {
        String volume = "hearth-it-runner-" + installation;
        closeAfter.add(() -> DockerTestEngine.client().removeVolumeCmd(volume).exec());
        DockerPodDriver driver = started(installation, new DockerDriverConfig.RunnerVolume(volume,
                DockerTestEngine.runnerImage(), null));

        Pod pod = driver.create(pool(DockerTestEngine.BUSYBOX, 1)).block(BLOCK);

        assertThat(execute(pod, "echo from the volume; ls -n /opt/hearth/runner")).as("output")
                .startsWith("from the volume\n")
                .contains(" 10001 ");
        assertThat(DockerTestEngine.containersOf(installation)).as("containers: the installer is gone").hasSize(1);
    }

    @Test
    void missingImageFailsClearlyAndLeavesNothing() {
        DockerPodDriver driver = started(installation, runnerPath());

        assertThatThrownBy(() -> driver.create(pool("hearth-test/missing:1", 1)).block(BLOCK))
                .hasMessageContaining("hearth-test/missing:1")
                .hasMessageContaining("never pulls");
        assertThat(driver.livePods()).as("pods tracked").isZero();
        assertThat(driver.heldAddresses()).as("addresses held").isZero();
    }

    @Test
    void runnerThatCannotStartFailsTheCreationWithItsOutput() {
        DockerPoolSpec tiny = SPEC.withMemoryBytes(8L << 20);
        DockerPodDriver driver = started(installation, runnerPath(), image -> tiny);

        assertThatThrownBy(() -> driver.create(pool(DockerTestEngine.BUSYBOX, 1)).block(BLOCK))
                .isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("exited");
        assertThat(driver.livePods()).as("pods tracked").isZero();
    }

    @Test
    void cancelledCreationRemovesItsContainer() {
        DockerPodDriver driver = started(installation, runnerPath());
        Disposable creation = driver.create(pool(DockerTestEngine.BUSYBOX, 1)).subscribe();
        await("the container exists").atMost(WAIT).until(() -> !DockerTestEngine.containersOf(installation).isEmpty());

        creation.dispose();

        await("the container removed").atMost(WAIT).until(() -> DockerTestEngine.containersOf(installation).isEmpty());
        await("its address freed").atMost(WAIT).until(() -> driver.heldAddresses() == 0);
    }

    private DockerPodDriver started(String id, DockerDriverConfig.RunnerSource runner) {
        return started(id, runner, image -> SPEC);
    }

    private DockerPodDriver started(String id, DockerDriverConfig.RunnerSource runner,
                                    java.util.function.Function<String, DockerPoolSpec> specs) {
        DockerDriverConfig config = new DockerDriverConfig(DockerTestEngine.host(), id, runner, RUNNER_PORT,
                DockerDriverConfig.AddressRange.parse("127.0.0.2-127.0.0.254"), Duration.ofSeconds(30), SOCKETS);
        DockerApi api = DockerApi.connect(config.host(), config.requestTimeout());
        DockerPodDriver driver = new DockerPodDriver(api, config, pool -> specs.apply(pool.image()), runners);
        closeAfter.add(api);
        closeAfter.add(driver);
        driver.start().block(BLOCK);
        return driver;
    }

    private static DockerDriverConfig.RunnerPath runnerPath() {
        return new DockerDriverConfig.RunnerPath(DockerTestEngine.distribution());
    }

    private static PoolConfig pool(String image, int size) {
        return new PoolConfig(image, size, 4, 4, Duration.ofSeconds(30), "exec", "sh", Duration.ofSeconds(45));
    }

    /** A container of another owner, removed after the test. */
    private String sleeper(Map<String, String> labels) {
        String id = DockerTestEngine.client().createContainerCmd(DockerTestEngine.BUSYBOX)
                .withCmd("sleep", "300")
                .withLabels(labels)
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none"))
                .exec().getId();
        closeAfter.add(() -> DockerTestEngine.client().removeContainerCmd(id).withForce(true).exec());
        DockerTestEngine.client().startContainerCmd(id).exec();
        return id;
    }

    /** Specializes the pod with an exec function running {@code script} and answers its output. */
    private String execute(Pod pod, String script) {
        runners.specialize(pod.target(1), new Specialization("exec", "sh main.sh", "main.sh", Map.of(), 10_000),
                        Mono.just(Unpooled.wrappedBuffer(TarGz.builder().file("main.sh", script, 0755).build())))
                .block(BLOCK);
        StringBuilder output = new StringBuilder();
        runners.execute(pod.target(1), new ExecutionRequest("GET", "/", Map.of(), 20_000), Mono.empty())
                .doOnNext(event -> {
                    if (event instanceof ExecutionEvent.Body body) {
                        output.append(read(body.chunk()));
                    } else if (event instanceof ExecutionEvent.End end) {
                        output.append(end.end().errors());
                    }
                })
                .blockLast(BLOCK);
        return output.toString();
    }

    private static String read(ByteBuf chunk) {
        try {
            return chunk.toString(StandardCharsets.UTF_8);
        } finally {
            chunk.release();
        }
    }

    private static List<String> names(List<Container> containers) {
        return containers.stream().map(container -> container.getNames()[0].substring(1)).toList();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
