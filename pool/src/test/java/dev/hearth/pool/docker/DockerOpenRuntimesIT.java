package dev.hearth.pool.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.github.dockerjava.api.command.InspectContainerResponse;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.Secrets;
import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.client.RunnerTarget;
import dev.hearth.runner.protocol.BuildOutput;
import dev.hearth.runner.protocol.BuildRequest;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.Specialization;
import dev.hearth.runner.testing.TarGz;
import dev.hearth.runner.testing.docker.OpenRuntimesImages;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Docker pools off the host's network ({@link DockerTestEngine}): each container in a network namespace of its own, its
 * runner reached through the socket in its host directory. Two Open Runtimes servers on port 3000 at the same time is
 * what host networking could not do; they are the clean-room v5 image ({@link OpenRuntimesImages}) run unchanged, its
 * own helpers extracting, starting and building in its {@code WORKDIR}. Every test checks at its end that no container and no socket directory is left.
 */
@ExtendWith(DockerTestEngine.class)
class DockerOpenRuntimesIT {

    private static final Duration BLOCK = Duration.ofSeconds(90);
    private static final Path SOCKETS = Path.of(System.getProperty("java.io.tmpdir"), "hearth-it-sockets");
    /** Root and a writable root filesystem, as Open Runtimes images need. */
    private static final DockerPoolSpec OPEN_RUNTIMES = DockerPoolSpec.DEFAULTS.withUser("0")
            .withReadOnlyRootFilesystem(false).withMemoryBytes(400L << 20);
    /** Appwrite's start line for v5 images: the image's own helpers extract the code and start its server. */
    private static final String RUNTIME_ENTRYPOINT =
            "cp /tmp/code.tar.gz /mnt/code/code.tar.gz && nohup helpers/start.sh \"bash helpers/server.sh\"";
    private static final String FUNCTION = """
            module.exports = async (context) => {
              context.log('served by', process.env.POD_NAME);
              return context.res.json({ pod: process.env.POD_NAME, host: context.req.host,
                body: context.req.bodyText });
            };
            """;

    private final String installation = "it-or-" + Secrets.hex(3);
    private final RunnerClient runners = RunnerClient.create(Duration.ofSeconds(2));
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private DockerPodDriver driver;

    @AfterEach
    void nothingLeft() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            closeAfter.get(i).close();
        }
        assertThat(DockerTestEngine.containersOf(installation)).as("containers after the test").isEmpty();
        assertThat(driver.socketDirectories()).as("socket directories after the test").isZero();
    }

    @Test
    void twoOpenRuntimesPodsOnNetworkNoneServeAtTheSameTimeWhileAThirdBuilds() throws IOException {
        String image = OpenRuntimesImages.v5();
        driver = started(image2 -> OPEN_RUNTIMES);
        PoolConfig pool = new PoolConfig(image, 3, 4, 4, Duration.ofSeconds(30), "openruntimes", "",
                Duration.ofSeconds(60));

        List<Pod> pods = Flux.merge(driver.create(pool), driver.create(pool), driver.create(pool))
                .collectList().block(BLOCK);

        assertThat(driver.heldAddresses()).as("no loopback address is taken").isZero();
        assertThat(driver.socketDirectories()).as("a socket directory per pod").isEqualTo(3);
        for (Pod pod : pods) {
            InspectContainerResponse inspect = DockerTestEngine.client().inspectContainerCmd(pod.id()).exec();
            assertThat(inspect.getHostConfig().getNetworkMode()).as("network of " + pod.id()).isEqualTo("none");
            assertThat(pod.host()).as("reached through its socket").startsWith(RunnerTarget.SOCKET_PREFIX);
            assertThat(inspect.getConfig().getEnv()).as("environment")
                    .contains("HEARTH_RUNNER_SOCKET=/run/hearth/runner.sock", "HEARTH_RUNNER_LOGS_DIR=/mnt/logs")
                    .noneMatch(entry -> entry.startsWith("HEARTH_RUNNER_HOST="));
        }

        Pod builder = pods.get(2);
        Mono<List<BuildOutput>> build = runners.build(builder.target(1), new BuildRequest(
                        "tar -zxf /tmp/code.tar.gz -C /mnt/code && helpers/build.sh 'echo built > built.txt'",
                        Map.of("OPEN_RUNTIMES_ENTRYPOINT", "index.js"), 60_000, null),
                        Mono.fromSupplier(() -> Unpooled.wrappedBuffer(source())))
                .collectList();
        Mono<Void> specialized = Mono.when(specialize(pods.get(0), "first"), specialize(pods.get(1), "second"));
        List<BuildOutput> buildLog = Mono.zip(build, specialized.thenReturn(true)).block(BLOCK).getT1();

        assertThat(buildLog.get(buildLog.size() - 1).end().exitCode()).as("the build's exit code").isZero();
        assertThat(String.join("", buildLog.stream().map(BuildOutput::content).toList()))
                .as("the image's own build script ran in its working directory").contains("Build finished.");
        assertThat(runners.artifact(builder.target(1), "/mnt/code/code.tar.gz")
                .map(chunk -> {
                    int size = chunk.readableBytes();
                    chunk.release();
                    return size;
                })
                .reduce(0, Integer::sum).block(BLOCK)).as("the artifact's size").isPositive();
        List<String> answers = Flux.range(0, 6)
                .flatMap(i -> execute(pods.get(i % 2), "call " + i))
                .collectList().block(BLOCK);
        assertThat(answers).as("each pod's own server answers, both at once").hasSize(6)
                .allMatch(answer -> answer.contains("\"host\":\"appwrite.test\""))
                .anyMatch(answer -> answer.contains("\"pod\":\"first\"") && answer.contains("\"body\":\"call 0\""))
                .anyMatch(answer -> answer.contains("\"pod\":\"second\"") && answer.contains("\"body\":\"call 1\""));

        pods.forEach(pod -> driver.delete(pod.id()).block(BLOCK));
        assertThat(driver.socketDirectories()).as("socket directories removed with their containers").isZero();
        assertThat(driver.livePods()).isZero();
    }

    @Test
    void anExecPoolOnNetworkNoneRunsAsItsUserAndLeavesNothingBehind() throws IOException {
        driver = started(image -> DockerPoolSpec.DEFAULTS.withNetwork("none").withMemoryBytes(300L << 20));
        PoolConfig pool = new PoolConfig(DockerTestEngine.BUSYBOX, 1, 4, 4, Duration.ofSeconds(30), "exec", "sh",
                Duration.ofSeconds(45));

        Pod pod = driver.create(pool).block(BLOCK);
        runners.specialize(pod.target(1), new Specialization("exec", "sh main.sh", "main.sh", Map.of(), 10_000),
                        Mono.just(Unpooled.wrappedBuffer(TarGz.builder()
                                .file("main.sh", "id -u; ls /sys/class/net", 0755).build())))
                .block(BLOCK);
        String output = execute(pod, "").block(BLOCK);

        assertThat(output).as("the pod's user, and no network but loopback").isEqualTo("10001\nlo\n");
        DockerTestEngine.client().killContainerCmd(pod.id()).exec();
        await("the killed pod's container and socket directory removed").atMost(BLOCK)
                .until(() -> DockerTestEngine.containersOf(installation).isEmpty() && driver.socketDirectories() == 0);
    }

    private Mono<Void> specialize(Pod pod, String name) {
        Map<String, String> env = Map.of("POD_NAME", name, "OPEN_RUNTIMES_SECRET", "secret-" + name,
                "OPEN_RUNTIMES_ENTRYPOINT", "index.js");
        return runners.specialize(pod.target(1), new Specialization("openruntimes", RUNTIME_ENTRYPOINT, "index.js", env,
                60_000), Mono.fromSupplier(() -> Unpooled.wrappedBuffer(source()))).then();
    }

    private Mono<String> execute(Pod pod, String body) {
        StringBuilder output = new StringBuilder();
        return runners.execute(pod.target(1), new ExecutionRequest("POST", "/",
                                Map.of("host", List.of("appwrite.test")), 20_000),
                        Mono.fromSupplier(() -> Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)))
                .doOnNext(event -> {
                    if (event instanceof ExecutionEvent.Body chunk) {
                        output.append(chunk.chunk().toString(StandardCharsets.UTF_8));
                        chunk.chunk().release();
                    }
                })
                .then(Mono.fromSupplier(output::toString));
    }

    private static byte[] source() {
        return TarGz.builder().file("index.js", FUNCTION).build();
    }

    private DockerPodDriver started(java.util.function.Function<String, DockerPoolSpec> specs) {
        DockerDriverConfig config = new DockerDriverConfig(DockerTestEngine.host(), installation,
                new DockerDriverConfig.RunnerPath(DockerTestEngine.distribution()), 8080,
                DockerDriverConfig.AddressRange.parse("127.0.0.2-127.0.0.254"), Duration.ofSeconds(30), SOCKETS);
        DockerApi api = DockerApi.connect(config.host(), config.requestTimeout());
        DockerPodDriver started = new DockerPodDriver(api, config, pool -> specs.apply(pool.image()), runners);
        closeAfter.add(api);
        closeAfter.add(started);
        started.start().block(BLOCK);
        return started;
    }
}
