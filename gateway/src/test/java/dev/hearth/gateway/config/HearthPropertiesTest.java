package dev.hearth.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

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
                    var config = hearth.docker().driverConfig(hearth.replicaName(), "host");
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
}
