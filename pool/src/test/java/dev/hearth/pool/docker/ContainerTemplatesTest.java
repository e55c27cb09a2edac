package dev.hearth.pool.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;

import dev.hearth.pool.PoolConfig;

class ContainerTemplatesTest {

    private static final DockerDriverConfig CONFIG = new DockerDriverConfig("unix:///run/docker.sock", "test",
            new DockerDriverConfig.RunnerPath(Path.of("/srv/hearth-dist")), 8080,
            DockerDriverConfig.AddressRange.parse("127.0.0.2-127.0.0.9"), Duration.ofSeconds(5),
            Path.of("/var/lib/hearth/sockets"));
    private static final PoolConfig POOL = new PoolConfig("python:3.12-slim", 2, 4, 4, Duration.ofSeconds(5), "exec",
            "python3", Duration.ofSeconds(5));

    private final ContainerTemplates templates = new ContainerTemplates(CONFIG);

    @Test
    void podHasTheSecurityDefaultsAndLimits() {
        ContainerSpec spec = templates.pod("hearth-test-abc", POOL, DockerPoolSpec.DEFAULTS, loopback("127.0.0.3"),
                "s3cret");
        HostConfig host = spec.hostConfig();

        assertThat(spec.user()).as("user").isEqualTo("10001:10001");
        assertThat(spec.entrypoint()).as("entrypoint").containsExactly("/opt/hearth/runner");
        assertThat(host.getNetworkMode()).as("network").isEqualTo("host");
        assertThat(host.getReadonlyRootfs()).as("read-only root").isTrue();
        assertThat(host.getCapDrop()).as("dropped capabilities").containsExactly(Capability.ALL);
        assertThat(host.getCapAdd()).as("added capabilities").isNull();
        assertThat(host.getSecurityOpts()).as("security options").containsExactly("no-new-privileges");
        assertThat(host.getNanoCPUs()).as("cpus").isEqualTo(1_000_000_000L);
        assertThat(host.getMemory()).as("memory").isEqualTo(512L << 20);
        assertThat(host.getMemorySwap()).as("memory and swap").isEqualTo(512L << 20);
        assertThat(host.getPidsLimit()).as("pids").isEqualTo(512L);
        assertThat(host.getTmpFs()).as("tmpfs mounts")
                .containsOnlyKeys("/tmp", "/mnt/code", "/mnt/logs")
                .allSatisfy((path, options) -> assertThat(options).contains("uid=10001", "gid=10001", "nosuid"));
        assertThat(host.getBinds()).as("the runner, read-only").singleElement()
                .satisfies(bind -> assertThat(bind.toString()).isEqualTo("/srv/hearth-dist:/opt/hearth:ro"));
    }

    @Test
    void podCarriesItsLabelsAndItsSecretOnlyInTheEnvironment() {
        ContainerSpec spec = templates.pod("hearth-test-abc", POOL,
                DockerPoolSpec.DEFAULTS.withEnv(Map.of("B", "2", "A", "1")), loopback("127.0.0.3"), "s3cret");

        assertThat(spec.labels()).as("labels").containsOnly(
                Map.entry(DockerLabels.INSTALLATION, "test"), Map.entry(DockerLabels.ROLE, DockerLabels.ROLE_POD),
                Map.entry(DockerLabels.POOL, "python:3.12-slim"), Map.entry(DockerLabels.STATE, DockerLabels.STATE_WARM),
                Map.entry(DockerLabels.POD_ID, "hearth-test-abc"));
        assertThat(spec.env()).as("environment").containsExactly("A=1", "B=2", "HEARTH_RUNNER_HOST=127.0.0.3",
                "HEARTH_RUNNER_PORT=8080", "HEARTH_RUNNER_SECRET=s3cret", "HEARTH_RUNNER_WORK_DIR=/tmp/hearth-runner",
                "HEARTH_RUNNER_CODE_DIR=/mnt/code", "HEARTH_RUNNER_TMP_DIR=/tmp", "HEARTH_RUNNER_LOGS_DIR=/mnt/logs");
        assertThat(spec.toString()).as("printed").doesNotContain("s3cret");
    }

    @Test
    void sizeZeroPoolsContainerIsBornClaimed() {
        PoolConfig once = new PoolConfig("once", 0, 4, 4, Duration.ofSeconds(5), "exec", "sh", Duration.ofSeconds(5));

        assertThat(templates.pod("p", once, DockerPoolSpec.DEFAULTS, loopback("127.0.0.2"), "s").labels())
                .containsEntry(DockerLabels.STATE, DockerLabels.STATE_CLAIMED);
    }

    @Test
    void rootPoolAndNamedUsers() {
        assertThat(DockerPoolSpec.DEFAULTS.withUser("0").root()).as("0 is root").isTrue();
        assertThat(DockerPoolSpec.DEFAULTS.root()).as("the default").isFalse();
        assertThat(ContainerTemplates.tmpfsOptions("node")).as("a named user: no owner on the tmpfs")
                .doesNotContain("uid=");
    }

    @Test
    void volumeRunnerIsMountedReadOnlyWithoutCopy() {
        DockerDriverConfig config = new DockerDriverConfig("unix:///run/docker.sock", "test",
                new DockerDriverConfig.RunnerVolume("hearth-runner-test", "runner:1", null), 8080,
                DockerDriverConfig.AddressRange.parse("127.0.0.2-127.0.0.9"), Duration.ofSeconds(5),
                Path.of("/var/lib/hearth/sockets"));

        HostConfig host = new ContainerTemplates(config)
                .pod("p", POOL, DockerPoolSpec.DEFAULTS, loopback("127.0.0.2"), "s").hostConfig();

        assertThat(host.getMounts()).singleElement().satisfies(mount -> {
            assertThat(mount.getSource()).isEqualTo("hearth-runner-test");
            assertThat(mount.getTarget()).isEqualTo("/opt/hearth");
            assertThat(mount.getReadOnly()).isTrue();
            assertThat(mount.getVolumeOptions().getNoCopy()).isTrue();
        });
    }

    @Test
    void openRuntimesPodHasANetworkOfItsOwnAndItsRunnerOnASocket() {
        PoolConfig openRuntimes = new PoolConfig("openruntimes/node:v5-22", 1, 4, 4, Duration.ofSeconds(5),
                "openruntimes", "", Duration.ofSeconds(5));
        Path directory = Path.of("/var/lib/hearth/sockets/test/0123456789ab");

        ContainerSpec spec = templates.pod("hearth-test-0123456789ab", openRuntimes,
                DockerPoolSpec.DEFAULTS.withUser("0"), new RunnerAccess.Socket(directory), "s3cret", "/usr/local/server");
        HostConfig host = spec.hostConfig();

        assertThat(host.getNetworkMode()).as("network: none unless the pool says").isEqualTo("none");
        assertThat(spec.env()).as("environment: the socket, no loopback address or port")
                .contains("HEARTH_RUNNER_SOCKET=/run/hearth/runner.sock", "HEARTH_RUNNER_SECRET=s3cret",
                        "HEARTH_RUNNER_BUILD_DIR=/usr/local/server", "HEARTH_RUNNER_LOGS_DIR=/mnt/logs")
                .noneMatch(entry -> entry.startsWith("HEARTH_RUNNER_HOST=") || entry.startsWith("HEARTH_RUNNER_PORT="));
        assertThat(host.getBinds()).as("the socket directory, writable, and the runner, read-only")
                .extracting(Object::toString)
                .containsExactly("/var/lib/hearth/sockets/test/0123456789ab:/run/hearth:rw", "/srv/hearth-dist:/opt/hearth:ro");
        assertThat(host.getCapDrop()).as("the same security defaults").containsExactly(Capability.ALL);
        assertThat(host.getCapAdd()).as("root's file capabilities only, to unpack archives of other uids")
                .containsExactlyInAnyOrder(Capability.CHOWN, Capability.DAC_OVERRIDE, Capability.FOWNER,
                        Capability.FSETID);
        assertThat(new RunnerAccess.Socket(directory).address())
                .isEqualTo("unix:/var/lib/hearth/sockets/test/0123456789ab/runner.sock");

        ContainerSpec bridged = templates.pod("p", openRuntimes, DockerPoolSpec.DEFAULTS.withNetwork("hearth-egress"),
                new RunnerAccess.Socket(directory), "s");
        assertThat(bridged.hostConfig().getNetworkMode()).as("the pool's network").isEqualTo("hearth-egress");
        ContainerSpec execOnNone = templates.pod("p", POOL, DockerPoolSpec.DEFAULTS.withNetwork("none"),
                new RunnerAccess.Socket(directory), "s");
        assertThat(execOnNone.hostConfig().getNetworkMode()).as("any adapter may leave the host's network")
                .isEqualTo("none");
        assertThat(templates.pod("p", POOL, DockerPoolSpec.DEFAULTS, loopback("127.0.0.2"), "s", "/srv").env())
                .as("only Open Runtimes images build in their working directory")
                .noneMatch(entry -> entry.startsWith("HEARTH_RUNNER_BUILD_DIR="));
    }

    @Test
    void openRuntimesIsRefusedTheHostNetworkAndASocketNeedsAnotherNetwork() {
        PoolConfig openRuntimes = new PoolConfig("openruntimes/node:v5-22", 1, 4, 4, Duration.ofSeconds(5),
                "openruntimes", "", Duration.ofSeconds(5));

        assertThatThrownBy(() -> DockerPoolSpec.DEFAULTS.withNetwork("host").networkFor("openruntimes"))
                .hasMessageContaining("must not be host for the openruntimes adapter");
        assertThat(ContainerTemplates.onHostNetwork(POOL, DockerPoolSpec.DEFAULTS)).as("exec: host by default").isTrue();
        assertThat(ContainerTemplates.onHostNetwork(openRuntimes, DockerPoolSpec.DEFAULTS)).isFalse();
        assertThatThrownBy(() -> templates.pod("p", POOL, DockerPoolSpec.DEFAULTS,
                new RunnerAccess.Socket(Path.of("/x")), "s")).hasMessageContaining("cannot be reached");
        assertThatThrownBy(() -> DockerPoolSpec.DEFAULTS.withNetwork("container:other"))
                .hasMessageContaining("'container:other'");
    }

    @Test
    void aSocketDirTooLongForASocketPathIsRefused() {
        assertThatThrownBy(() -> new DockerDriverConfig("unix:///run/docker.sock", "test", CONFIG.runner(), 8080,
                CONFIG.addresses(), Duration.ofSeconds(5), Path.of("/" + "d".repeat(90))))
                .hasMessageContaining("socket-dir must be short enough");
        assertThatThrownBy(() -> new DockerDriverConfig("unix:///run/docker.sock", "test", CONFIG.runner(), 8080,
                CONFIG.addresses(), Duration.ofSeconds(5), Path.of("relative")))
                .hasMessageContaining("socket-dir must be an absolute directory");
    }

    private static RunnerAccess loopback(String address) {
        return new RunnerAccess.Loopback(address);
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> DockerPoolSpec.DEFAULTS.withUser("a b")).hasMessageContaining("'a b'");
        assertThatThrownBy(() -> DockerPoolSpec.DEFAULTS.withCpus(0)).hasMessageContaining("cpus");
        assertThatThrownBy(() -> DockerPoolSpec.DEFAULTS.withPidsLimit(10)).hasMessageContaining("pids-limit");
        assertThatThrownBy(() -> DockerPoolSpec.DEFAULTS.withEnv(Map.of("HEARTH_RUNNER_X", "1")))
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> DockerDriverConfig.AddressRange.parse("127.0.0.1-127.0.0.9"))
                .hasMessageContaining("above 127.0.0.1");
        assertThatThrownBy(() -> DockerDriverConfig.AddressRange.parse("10.0.0.2-10.0.0.9"))
                .hasMessageContaining("loopback");
        assertThat(DockerDriverConfig.installationFrom("My_Host.example")).isEqualTo("my_host.example");
    }
}
