package dev.hearth.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import dev.hearth.gateway.storage.S3Settings;
import dev.hearth.gateway.storage.StorageDevice;

/** {@code hearth.*} binds as the gateway binds it at startup: unknown keys and impossible values stop it, named. */
class HearthPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(HearthProperties.class)
    static class Bound {
    }

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ConfigurationPropertiesAutoConfiguration.class))
            .withUserConfiguration(Bound.class)
            .withPropertyValues("hearth.work-dir=/tmp/w", "hearth.storage-root=/tmp/s",
                    "hearth.pool-defaults.size=1", "hearth.pool-defaults.max=4", "hearth.pool-defaults.max-pending=4",
                    "hearth.pool-defaults.acquire-timeout=5s", "hearth.pool-defaults.adapter=exec",
                    "hearth.pool-defaults.command=sh", "hearth.pool-defaults.start-timeout=5s",
                    "hearth.pools[0].image=local/shell");

    @Test
    void defaultsBindWithEveryDurationNamed() {
        context.run(started -> {
            assertThat(started).hasNotFailed();
            HearthProperties hearth = started.getBean(HearthProperties.class);
            assertThat(hearth.driver()).as("driver").isEqualTo(HearthProperties.Driver.LOCAL);
            assertThat(hearth.runtimes().leaseTtl()).as("lease ttl").isEqualTo(Duration.ofSeconds(30));
            assertThat(hearth.runtimes().activityFlush()).as("activity flush").isEqualTo(Duration.ofSeconds(1));
            assertThat(hearth.redis().breakerOpenFor()).as("registry breaker").isEqualTo(Duration.ofSeconds(1));
            assertThat(hearth.kubernetes().reconcilePeriod()).as("reconcile period").isEqualTo(Duration.ofSeconds(5));
            assertThat(hearth.runner().connectTimeout()).as("runner connect timeout").isEqualTo(Duration.ofSeconds(5));
            assertThat(hearth.poolConfigs()).as("pools").hasSize(1);
        });
    }

    @Test
    void anUnknownKeyStopsStartupNamingIt() {
        context.withPropertyValues("hearth.runtimes.lease-tll=10s").run(started -> assertThat(started)
                .hasFailed()
                .getFailure().hasStackTraceContaining("hearth.runtimes.lease-tll"));
    }

    @Test
    void theFormerPerImageKubernetesListIsUnknownNow() {
        context.withPropertyValues("hearth.kubernetes.pools[0].image=local/shell").run(started -> assertThat(started)
                .hasFailed()
                .getFailure().hasStackTraceContaining("hearth.kubernetes.pools[0].image"));
    }

    @Test
    void aPoolConfiguredTwiceStopsStartup() {
        context.withPropertyValues("hearth.pools[1].image=local/shell").run(started -> assertThat(started)
                .hasFailed()
                .getFailure().hasStackTraceContaining("hearth.pools[1].image 'local/shell' is configured twice"));
    }

    @Test
    void onKubernetesEveryPoolSpecIsCheckedAtStartup() {
        context.withPropertyValues("hearth.driver=kubernetes", "hearth.pools[0].kubernetes.limits.cpu=lots")
                .run(started -> assertThat(started)
                        .hasFailed()
                        .getFailure().hasStackTraceContaining("hearth.pools[0].kubernetes")
                        .hasStackTraceContaining("limits.cpu must be a Kubernetes quantity, but was 'lots'"));
    }

    @Test
    void aNonPositiveDurationIsRefusedNamingTheKey() {
        context.withPropertyValues("hearth.runtimes.activity-flush=0s").run(started -> assertThat(started)
                .hasFailed()
                .getFailure().hasStackTraceContaining("hearth.runtimes.activity-flush must be positive, but was PT0S"));
    }

    @Test
    void storageDefaultsToTheLocalDeviceWithEightMegabyteParts() {
        context.run(started -> {
            StorageProperties storage = started.getBean(HearthProperties.class).storage();
            assertThat(storage.chosenDevice()).as("device").isEqualTo(StorageDevice.LOCAL);
            assertThat(storage.s3().partSize()).as("part size").isEqualTo(DataSize.ofMegabytes(8));
            assertThat(storage.s3().readRetries()).as("read retries").isEqualTo(2);
        });
    }

    @Test
    void theS3DeviceWithoutABucketStopsStartupNamingTheKey() {
        context.withPropertyValues("hearth.storage.device=s3").run(started -> assertThat(started)
                .hasFailed()
                .getFailure().hasStackTraceContaining("hearth.storage.s3.bucket must be set"));
    }

    @Test
    void aPartSmallerThanS3AllowsStopsStartupNamingTheKey() {
        context.withPropertyValues("hearth.storage.s3.part-size=1MB").run(started -> assertThat(started)
                .hasFailed()
                .getFailure().hasStackTraceContaining("hearth.storage.s3.part-size must be between 5MB and 1GB, but was 1048576B"));
    }

    @Test
    void anAccessKeyWithoutItsSecretStopsStartup() {
        context.withPropertyValues("hearth.storage.s3.access-key=AKIA").run(started -> assertThat(started)
                .hasFailed()
                .getFailure().hasStackTraceContaining("hearth.storage.s3.access-key and hearth.storage.s3.secret-key"));
    }

    @Test
    void s3SettingsComeFromTheKeysOrFromTheDsnNotBoth() {
        context.withPropertyValues("hearth.storage.device=s3", "hearth.storage.s3.bucket=b",
                "hearth.storage.s3.endpoint=http://127.0.0.1:9000", "hearth.storage.s3.key-prefix=/hearth/")
                .run(started -> {
                    S3Settings settings = started.getBean(HearthProperties.class).storage().s3Settings();
                    assertThat(settings.describe()).as("device").isEqualTo("s3://b/hearth/ at http://127.0.0.1:9000");
                    assertThat(settings.staticCredentials()).as("static credentials").isFalse();
                });
        context.withPropertyValues("hearth.storage.dsn=s3://k:s@127.0.0.1:9000/b?insecure=true",
                "hearth.storage.s3.bucket=other")
                .run(started -> assertThatThrownBy(() -> started.getBean(HearthProperties.class).storage().s3Settings())
                        .hasMessageContaining("both give the S3 connection"));
    }

    @Test
    void dockerPoolBlockIsLaidOverTheDefaultsAndTheInstallationDefaultsToTheReplicaName() {
        context.withPropertyValues("hearth.driver=docker", "hearth.replica-name=Gateway-1",
                "hearth.pool-defaults.docker.memory=256MB", "hearth.pool-defaults.docker.env.A=1",
                "hearth.pools[0].docker.cpus=0.5", "hearth.pools[0].docker.user=0", "hearth.pools[0].docker.env.B=2",
                "hearth.docker.runner-path=/srv/dist").run(started -> {
                    assertThat(started).hasNotFailed();
                    HearthProperties hearth = started.getBean(HearthProperties.class);
                    var spec = hearth.dockerPoolSpec("local/shell");
                    assertThat(spec.memoryBytes()).as("memory from the defaults").isEqualTo(256L * 1024 * 1024);
                    assertThat(spec.cpus()).as("cpus of the pool").isEqualTo(0.5);
                    assertThat(spec.root()).as("root, as the pool says").isTrue();
                    assertThat(spec.env()).as("env merged").containsEntry("A", "1").containsEntry("B", "2");
                    assertThat(spec.readOnlyRootFilesystem()).as("read-only root by default").isTrue();
                    var config = hearth.docker().driverConfig(hearth.replicaName(), "host", hearth.workDir());
                    assertThat(config.installation()).as("installation").isEqualTo("gateway-1");
                    assertThat(config.runner()).as("runner").isInstanceOf(
                            dev.hearth.pool.docker.DockerDriverConfig.RunnerPath.class);
                });
    }

    @Test
    void aBadDockerValueStopsStartupNamingThePool() {
        context.withPropertyValues("hearth.driver=docker", "hearth.pools[0].docker.pids-limit=5").run(started ->
                assertThat(started).hasFailed().getFailure()
                        .hasStackTraceContaining("hearth.pools[0].docker")
                        .hasStackTraceContaining("pids-limit"));
    }

    @Test
    void runtimeVersionsComeFromOpenRuntimesListAndMustBeKnown() {
        context.withPropertyValues("hearth.executor.runtime-versions=v2, v5").run(started -> assertThat(
                started.getBean(HearthProperties.class).executor().runtimeVersions()).containsExactly("v2", "v5"));
        context.run(started -> assertThat(started.getBean(HearthProperties.class).executor().runtimeVersions())
                .containsExactly("v2", "v4", "v5"));
        context.withPropertyValues("hearth.executor.runtime-versions=v5,v9").run(started -> assertThat(started)
                .hasFailed().getFailure().hasStackTraceContaining("OPR_EXECUTOR_RUNTIME_VERSIONS"));
    }

    @Test
    void anOpenRuntimesPoolIsRefusedOnTheLocalDriver() {
        context.withPropertyValues("hearth.pools[1].image=openruntimes/node:v5-22",
                        "hearth.pools[1].adapter=openruntimes", "hearth.pools[1].command=helpers/start.sh")
                .run(started -> assertThat(started).hasFailed().getFailure()
                        .hasStackTraceContaining("hearth.pools[1] (openruntimes/node:v5-22) uses the openruntimes"
                                + " adapter, which needs hearth.driver=docker or kubernetes"));
    }

    @Test
    void anOpenRuntimesPoolOnDockerGetsANetworkOfItsOwnAndIsRefusedTheHostNetwork() {
        String[] openRuntimesPool = {"hearth.driver=docker", "hearth.docker.runner-path=/srv/dist",
                "hearth.pools[1].image=openruntimes/node:v5-22", "hearth.pools[1].adapter=openruntimes",
                "hearth.pools[1].command=helpers/start.sh"};
        context.withPropertyValues(openRuntimesPool).run(started -> {
            assertThat(started).hasNotFailed();
            HearthProperties hearth = started.getBean(HearthProperties.class);
            assertThat(hearth.dockerPoolSpec("openruntimes/node:v5-22").networkFor("openruntimes"))
                    .as("the openruntimes default").isEqualTo("none");
            assertThat(hearth.dockerPoolSpec("local/shell").networkFor("exec")).as("the exec default")
                    .isEqualTo("host");
            assertThat(hearth.docker().driverConfig(null, "host", hearth.workDir()).socketDir())
                    .as("socket-dir by default").isEqualTo(hearth.workDir().toAbsolutePath().resolve("docker-sockets"));
        });
        context.withPropertyValues(openRuntimesPool).withPropertyValues("hearth.pools[1].docker.network=bridge")
                .run(started -> assertThat(started.getBean(HearthProperties.class)
                        .dockerPoolSpec("openruntimes/node:v5-22").networkFor("openruntimes")).isEqualTo("bridge"));
        context.withPropertyValues(openRuntimesPool).withPropertyValues("hearth.pools[1].docker.network=host")
                .run(started -> assertThat(started).hasFailed().getFailure()
                        .hasStackTraceContaining("hearth.pools[1].docker.network (openruntimes/node:v5-22)")
                        .hasStackTraceContaining("must not be host for the openruntimes adapter"));
        context.withPropertyValues(openRuntimesPool).withPropertyValues("hearth.pool-defaults.docker.network=host")
                .run(started -> assertThat(started).as("host from the defaults").hasFailed().getFailure()
                        .hasStackTraceContaining("must not be host"));
    }

    @Test
    void patternEntriesAndAllowedImagesMakePoolsPerRuntimeWithOpenRuntimesPodSettingsByVersion() {
        context.withPropertyValues("hearth.driver=kubernetes", "hearth.pools[1].image=openruntimes/node:*",
                        "hearth.pools[1].kubernetes.runtime-class=gvisor", "hearth.pools[2].image=tools/*",
                        "hearth.pools[2].adapter=exec", "hearth.dynamic-pools.images-allowed=registry.example.com/**")
                .run(started -> {
                    assertThat(started).hasNotFailed();
                    PoolEntries entries = started.getBean(HearthProperties.class).poolEntries();
                    assertThat(entries.configs()).as("pattern entries make no pool at start")
                            .extracting(dev.hearth.pool.PoolConfig::image).containsExactly("local/shell");
                    var catalog = entries.catalog();

                    var node = catalog.choose(new dev.hearth.pool.PoolRequest("openruntimes/node:v5-22", "v5",
                            new dev.hearth.pool.PodLimits(2, 1024)));
                    assertThat(node.adapter()).isEqualTo("openruntimes");
                    var spec = entries.kubernetesSpec(node).sizedFor(node.limits());
                    assertThat(spec.runAsUser()).as("Open Runtimes images run as root").isZero();
                    assertThat(spec.readOnlyRootFilesystem()).isFalse();
                    assertThat(spec.workingDir()).isEqualTo("/usr/local/server");
                    assertThat(spec.writablePaths()).containsExactly("/mnt/telemetry");
                    assertThat(spec.runtimeClassName()).as("the entry's own").isEqualTo("gvisor");
                    assertThat(spec.limits()).containsEntry("cpu", "2000m").containsEntry("memory", "1024Mi");

                    var tool = catalog.choose(new dev.hearth.pool.PoolRequest("tools/jq:1", "v5",
                            dev.hearth.pool.PodLimits.NONE));
                    assertThat(tool.adapter()).as("the entry names it").isEqualTo("exec");
                    assertThat(entries.kubernetesSpec(tool).runAsUser()).as("not root").isEqualTo(10001);

                    var allowed = catalog.choose(new dev.hearth.pool.PoolRequest("registry.example.com/a/b:1", "v4",
                            dev.hearth.pool.PodLimits.NONE));
                    assertThat(allowed.size()).isZero();
                    assertThatThrownBy(() -> catalog.choose(dev.hearth.pool.PoolRequest.of("elsewhere/app:1")))
                            .isInstanceOf(dev.hearth.pool.UnknownImageException.class);
                });
    }

    @Test
    void onDockerAnOpenRuntimesImageWithoutAnEntryGetsRootAWritableRootAndANetworkOfItsOwn() {
        context.withPropertyValues("hearth.driver=docker", "hearth.docker.runner-path=/srv/dist",
                        "hearth.pools[1].image=tools/*", "hearth.pools[1].adapter=exec")
                .run(started -> {
                    assertThat(started).hasNotFailed();
                    PoolEntries entries = started.getBean(HearthProperties.class).poolEntries();
                    var node = entries.catalog().choose(new dev.hearth.pool.PoolRequest("openruntimes/node:v5-22",
                            "v5", new dev.hearth.pool.PodLimits(1, 512)));
                    assertThat(node.adapter()).isEqualTo("openruntimes");
                    var spec = entries.dockerSpec(node);
                    assertThat(spec.root()).as("Open Runtimes images run as root").isTrue();
                    assertThat(spec.readOnlyRootFilesystem()).isFalse();
                    assertThat(spec.networkFor(node.adapter())).as("port 3000 of its own").isEqualTo("none");

                    var tool = entries.catalog().choose(new dev.hearth.pool.PoolRequest("tools/jq:1", "v5",
                            dev.hearth.pool.PodLimits.NONE));
                    assertThat(entries.dockerSpec(tool).root()).as("the entry's exec pool: not root").isFalse();
                    var plain = entries.catalog().choose(new dev.hearth.pool.PoolRequest("other/app:1", "v4",
                            dev.hearth.pool.PodLimits.NONE));
                    assertThat(entries.dockerSpec(plain).readOnlyRootFilesystem()).as("other versions: defaults")
                            .isTrue();
                });
    }

    @Test
    void aPatternEntryWithWarmPodsStopsStartup() {
        context.withPropertyValues("hearth.pools[1].image=openruntimes/*", "hearth.pools[1].size=2").run(started ->
                assertThat(started).hasFailed().getFailure()
                        .hasStackTraceContaining("hearth.pools[1].size must be 0 or unset for a pattern entry"));
    }

    @Test
    void theLocalDriverAllowsNoImageWithoutAnEntry() {
        context.run(started -> {
            var catalog = started.getBean(HearthProperties.class).poolEntries().catalog();
            assertThatThrownBy(() -> catalog.choose(new dev.hearth.pool.PoolRequest("openruntimes/node:v5-22", "v5",
                    new dev.hearth.pool.PodLimits(1, 512))))
                    .hasMessageContaining("use the Docker or Kubernetes driver");
        });
    }
}
