package dev.hearth.pool.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.hearth.pool.PoolConfig;
import dev.hearth.runner.protocol.Specialization;

class RuntimeSpecTest {

    private static final String START = "cp /tmp/code.tar.gz /mnt/code/code.tar.gz && nohup helpers/start.sh "
            + "\"bash helpers/server.sh\"";

    private static PoolConfig pool(String adapter, String command) {
        return new PoolConfig("img", 1, 2, 4, Duration.ofSeconds(5), adapter, command, Duration.ofSeconds(7));
    }

    private static RuntimeSpec spec(String runtimeEntrypoint) {
        return new RuntimeSpec("r1", "img", "v5", "/s.gz", "index.js", runtimeEntrypoint,
                Map.of("OPEN_RUNTIMES_CPUS", "caller", "MINE", "1"), 2.5, 1024, false, "always");
    }

    @Test
    void aPoolsCommandRunsTheEntrypointAndOpenRuntimesVariablesOverrideTheCallers() {
        Specialization exec = spec("").specialization(pool("exec", "sh"));

        assertThat(exec.command()).isEqualTo("sh 'index.js'");
        assertThat(exec.env()).containsEntry("MINE", "1").containsEntry("OPEN_RUNTIMES_ENTRYPOINT", "index.js")
                .containsEntry("OPEN_RUNTIMES_CPUS", "2.5").containsEntry("OPEN_RUNTIMES_MEMORY", "1024")
                .containsEntry("OPEN_RUNTIMES_HOSTNAME", ExecutorHostname.get())
                .containsEntry("CI", "true").doesNotContainKey("OPEN_RUNTIMES_SECRET");
        assertThat(ExecutorHostname.get()).as("the executor's host name").isNotBlank();
        assertThat(exec.startTimeoutMs()).isEqualTo(7000);
        assertThat(exec.logging()).isFalse();
    }

    @Test
    void anOpenRuntimesSourceIsKeptUnderTheNameItsExtensionGives() {
        assertThat(spec(START).specialization(pool("openruntimes", "x")).archive()).isEqualTo("code.tar.gz");
        RuntimeSpec tar = new RuntimeSpec("r1", "img", "v5", "/builds/app/x.tar", "index.js", START, Map.of(), 1, 512,
                true, "no");
        assertThat(tar.specialization(pool("openruntimes", "x")).archive()).isEqualTo("code.tar");
    }

    @Test
    void cpusReadAsPhpPrintsTheFloat() {
        for (Object[] pair : new Object[][] {{1.0, "1"}, {2.5, "2.5"}, {0.25, "0.25"}, {16.0, "16"}}) {
            RuntimeSpec spec = new RuntimeSpec("r1", "img", "v5", "", "", "", Map.of(), (double) pair[0], 512, true, "no");
            assertThat(spec.openRuntimesEnvironment().get("OPEN_RUNTIMES_CPUS")).as("cpus " + pair[0]).isEqualTo(pair[1]);
        }
    }

    @Test
    void anOpenRuntimesImageRunsItsRuntimeEntrypointWithAFreshSecret() {
        Specialization first = spec(START).specialization(pool("openruntimes", "ignored"));
        Specialization second = spec(START).specialization(pool("openruntimes", "ignored"));

        assertThat(first.command()).as("runtimeEntrypoint alone, no entrypoint appended").isEqualTo(START);
        assertThat(first.env().get("OPEN_RUNTIMES_SECRET")).matches("[0-9a-f]{32}")
                .isNotEqualTo(second.env().get("OPEN_RUNTIMES_SECRET"));
        assertThat(spec("").specialization(pool("openruntimes", START)).command())
                .as("without one, the pool's start line").isEqualTo(START);
    }

    private static RuntimeSpec v2(String runtimeEntrypoint) {
        return new RuntimeSpec("r2", "openruntimes/node:v2-18.0", "v2", "/s.gz", "index.js", runtimeEntrypoint,
                Map.of("INTERNAL_RUNTIME_KEY", "caller", "MINE", "1"), 2.5, 1024, true, "no");
    }

    @Test
    void aV2RuntimeGetsItsOwnVariablesAFreshKeyAndItsVersion() {
        Specialization first = v2("").specialization(pool("openruntimes", "ignored"));
        Specialization second = v2("").specialization(pool("openruntimes", "ignored"));

        assertThat(first.version()).isEqualTo("v2");
        assertThat(first.env().get("INTERNAL_RUNTIME_KEY")).as("the caller's value is overridden")
                .matches("[0-9a-f]{32}").isNotEqualTo(second.env().get("INTERNAL_RUNTIME_KEY"));
        assertThat(first.env()).containsEntry("INTERNAL_RUNTIME_ENTRYPOINT", "index.js").containsEntry("MINE", "1")
                .containsEntry("CI", "true").containsEntry("INERNAL_EXECUTOR_HOSTNAME", ExecutorHostname.get())
                .doesNotContainKeys("OPEN_RUNTIMES_SECRET", "OPEN_RUNTIMES_ENTRYPOINT", "OPEN_RUNTIMES_CPUS");
    }

    @Test
    void aV2RuntimeWithoutRuntimeEntrypointStartsTheImagesStartScript() {
        assertThat(v2("").specialization(pool("openruntimes", "node server.js")).command())
                .as("the CMD of every v2 image, not the pool's command").isEqualTo("/usr/local/src/start.sh");
        assertThat(v2("bash start.sh").specialization(pool("openruntimes", "x")).command()).isEqualTo("bash start.sh");
    }

    @Test
    void aV5RuntimeIsSpecializedAsV5() {
        assertThat(spec(START).specialization(pool("openruntimes", "ignored")).version()).isEqualTo("v5");
        assertThat(RuntimeSpec.of("r", "img", "index.js", Map.of()).specialization(pool("exec", "sh")).version())
                .isEqualTo("v5");
    }
}
