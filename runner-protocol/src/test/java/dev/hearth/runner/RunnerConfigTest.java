package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RunnerConfigTest {

    @Test
    void readsDefaultsFromEnvironment() {
        RunnerConfig config = RunnerConfig.fromEnvironment(Map.of("HEARTH_RUNNER_SECRET", "s3cret"));

        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.workDir()).isEqualTo(Path.of("/tmp/hearth-runner"));
        assertThat(config.maxConcurrency()).isEqualTo(256);
        assertThat(config.openRuntimes().port()).as("every Open Runtimes image serves on 3000").isEqualTo(3000);
        assertThat(config.openRuntimes().logsDir()).isEqualTo(Path.of("/tmp/hearth-runner/logs"));
        assertThat(config.toString()).as("secret never printed").doesNotContain("s3cret");
    }

    @Test
    void readsOverrides() {
        RunnerConfig config = RunnerConfig.fromEnvironment(Map.of("HEARTH_RUNNER_SECRET", "s",
                "HEARTH_RUNNER_HOST", "127.0.0.1", "HEARTH_RUNNER_PORT", "0",
                "HEARTH_RUNNER_WORK_DIR", "/w", "HEARTH_RUNNER_MAX_CONCURRENCY", "3"));

        assertThat(config).isEqualTo(new RunnerConfig("127.0.0.1", 0, "s", Path.of("/w"), 3));
    }

    @Test
    void readsTheOpenRuntimesServersPortAndLogsDirectory() {
        RunnerConfig config = RunnerConfig.fromEnvironment(Map.of("HEARTH_RUNNER_SECRET", "s",
                "HEARTH_RUNNER_OPEN_RUNTIMES_PORT", "3100", "HEARTH_RUNNER_LOGS_DIR", "/mnt/logs"));

        assertThat(config.openRuntimes()).isEqualTo(new RunnerConfig.OpenRuntimesServer(3100, Path.of("/mnt/logs")));
    }

    @Test
    void requiresSecret() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(Map.of()))
                .hasMessageContaining("HEARTH_RUNNER_SECRET");
    }

    @Test
    void namesTheBadValue() {
        assertThatThrownBy(() -> new RunnerConfig("h", 70000, "s", Path.of("/w"), 1)).hasMessageContaining("70000");
        assertThatThrownBy(() -> new RunnerConfig("h", 1, "s", Path.of("/w"), 0)).hasMessageContaining("was 0");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(Map.of("HEARTH_RUNNER_SECRET", "s",
                "HEARTH_RUNNER_PORT", "eighty"))).hasMessageContaining("eighty");
    }
}
