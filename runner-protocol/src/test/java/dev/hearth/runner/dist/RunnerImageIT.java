package dev.hearth.runner.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AccessMode;
import dev.hearth.runner.RunnerConfig;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.client.RunnerTarget;
import dev.hearth.runner.protocol.RunnerHealth;
import dev.hearth.runner.protocol.Specialization;
import dev.hearth.runner.testing.TarGz;
import dev.hearth.runner.testing.docker.LocalImages;
import dev.hearth.runner.testing.docker.PodContainers;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import reactor.core.publisher.Mono;

/**
 * The runner's init image ({@code docker/runner}) and the example runtime images ({@code docker/runtimes}) on a
 * real container runtime, the way a pod uses them: the init container copies the distribution into an empty
 * volume, then a runtime image that knows nothing of Hearth runs {@code /opt/hearth/runner} from that volume,
 * read-only, as PID 1, uid 10001, with a read-only root filesystem, and serves the example functions.
 *
 * <p>Built here from what the host build made (the shared {@link RunnerDistribution}, the Dockerfile's
 * {@code prebuilt} stage) on the local bases; see {@link LocalImages}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunnerImageIT {

    private static final Duration BLOCK = Duration.ofSeconds(30);
    private static final String SECRET = "runner-image-test-secret";
    private static final String ARCHIVE_REJECTED = "Unable to use shared archive";

    private DockerClient docker;
    private String runnerImage;
    private String volume;
    private String installLog;
    private RunnerClient client;

    @BeforeAll
    void buildImagesAndInstall() throws Exception {
        docker = LocalImages.requireEngine();
        runnerImage = LocalImages.runnerImage(RunnerDistribution.shared().built());
        volume = "hearth-runner-it-" + UUID.randomUUID();
        docker.createVolumeCmd().withName(volume).exec();
        emptyDirPermissions();
        installLog = install();
        client = RunnerClient.create(Duration.ofSeconds(2));
    }

    @AfterAll
    void removeVolume() {
        if (volume != null) {
            docker.removeVolumeCmd(volume).exec();
        }
    }

    @Test
    void initContainerInstallsTheDistributionAndThePythonImageRunsIt() throws Exception {
        String python = LocalImages.dockerfile("hearth-example/python:test", "docker/runtimes/python/Dockerfile")
                .arg("BASE", LocalImages.DEBIAN)
                .get();

        try (GenericContainer<?> pod = runtime(python)) {
            RunnerTarget target = target(pod);
            RunnerHealth health = client.health(target.host(), target.port()).block(BLOCK);
            specialize(target, "exec", "python3 main.py", "main.py",
                    Files.readString(LocalImages.repositoryRoot().resolve("examples/hello-python/main.py")));
            Execution result = Execution.run(client, target, "POST", "/greet", "hi");

            assertThat(installLog).as("the init container's output: busybox cp -p on the root-owned volume")
                    .doesNotContain("No such file", "Permission denied");
            assertThat(health.status()).as("health of the runner in the python image").isEqualTo("ok");
            assertThat(PodContainers.hostStatusOfPid1(pod)).as("PID 1 of the runtime container, from the host")
                    .containsPattern("(?m)^Uid:\\s+10001\\s+10001\\s+10001\\s+10001$")
                    .containsPattern("(?m)^NSpid:\\s+\\d+\\s+1$")
                    .containsPattern("(?m)^CapEff:\\s+0+$");
            assertThat(result.head().status()).as("status; errors: %s", result.end().errors()).isEqualTo(200);
            assertThat(result.body()).as("hello-python's answer")
                    .contains("\"message\": \"Hello, Hearth!\"", "\"received\": \"hi\"");
            assertThat(pod.getLogs()).as("the runner's output: the jars' mtimes survived COPY and cp -Rp, so the"
                    + " runner's class archive was used").doesNotContain(ARCHIVE_REJECTED);
        }
    }

    @Test
    void theNodeImageServesTheHttpExampleFromTheSameVolume() throws Exception {
        String node = LocalImages.dockerfile("hearth-example/node:test", "docker/runtimes/node/Dockerfile")
                .arg("BASE", LocalImages.DEBIAN)
                .get();

        try (GenericContainer<?> pod = runtime(node)) {
            RunnerTarget target = target(pod);
            specialize(target, "http", "node index.js", "index.js",
                    Files.readString(LocalImages.repositoryRoot().resolve("examples/hello-node/index.js")));
            Execution result = Execution.run(client, target, "GET", "/hello", "");

            assertThat(result.head().status()).isEqualTo(200);
            assertThat(result.body()).as("hello-node's answer")
                    .contains("\"message\":\"Hello, Hearth!\"", "\"url\":\"/hello\"");
        }
    }

    /** Kubernetes' emptyDir is a root-owned directory of mode 0777; a fresh Docker volume is 0755. */
    private void emptyDirPermissions() {
        try (GenericContainer<?> chmod = PodContainers.mount(new GenericContainer<>(LocalImages.BUSYBOX),
                        volume, "/volume", AccessMode.rw)
                .withNetworkMode("none")
                .withCreateContainerCmdModifier(cmd -> cmd.withUser("0:0"))
                .withCommand("chmod", "0777", "/volume")
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(BLOCK))) {
            chmod.start();
        }
    }

    /** The init container with the image's own command, as a pod runs it; answers its output. */
    private String install() {
        try (GenericContainer<?> init = PodContainers.mount(PodContainers.of(runnerImage), volume, "/opt/hearth",
                        AccessMode.rw)
                .withNetworkMode("none")
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(BLOCK))) {
            init.start();
            return init.getLogs();
        }
    }

    /** The runtime image unchanged, {@code /opt/hearth/runner} as its command, the scratch mounts of the template. */
    private GenericContainer<?> runtime(String image) throws IOException {
        GenericContainer<?> pod = PodContainers.mount(PodContainers.of(image, "/tmp", "/mnt/code", "/mnt/logs"),
                        volume, "/opt/hearth", AccessMode.ro)
                .withCommand("/opt/hearth/runner")
                .withEnv(Map.of(RunnerConfig.HOST_ENV, "127.0.0.1",
                        RunnerConfig.PORT_ENV, Integer.toString(freePort()),
                        RunnerConfig.SECRET_ENV, SECRET))
                .waitingFor(Wait.forLogMessage(".*runner listening on .*\\n", 1)
                        .withStartupTimeout(Duration.ofSeconds(60)));
        pod.start();
        return pod;
    }

    private static RunnerTarget target(GenericContainer<?> pod) {
        return new RunnerTarget("127.0.0.1", Integer.parseInt(pod.getEnvMap().get(RunnerConfig.PORT_ENV)), SECRET, 0);
    }

    private void specialize(RunnerTarget target, String adapter, String command, String entrypoint, String source) {
        client.specialize(target, new Specialization(adapter, command, entrypoint,
                                Map.of("GREETING_NAME", "Hearth"), 10_000),
                        Mono.just(Unpooled.wrappedBuffer(TarGz.builder().file(entrypoint, source).build())))
                .block(BLOCK);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
