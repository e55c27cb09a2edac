package dev.hearth.runner.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.runner.process.ProcessSupervisor;
import dev.hearth.runner.protocol.BuildOutput;

class BuildRunTest {

    @TempDir
    Path dir;

    /**
     * The gateway asks for the artifact as soon as it reads the end record: the runner must be built by then (an end
     * record written before the "ended" step let such a request meet {@code 409 not_built} on a busy machine).
     */
    @Test
    void theEndedStepRunsBeforeTheEndRecordIsWritten() throws Exception {
        ExecutorService io = Executors.newCachedThreadPool();
        try (BuildLog log = new BuildLog(dir.resolve("build.log"))) {
            CompletableFuture<Boolean> endedBeforeRecord = new CompletableFuture<>();
            BuildRun.start("echo built", dir, Map.of("PATH", System.getenv("PATH")), 10_000, log,
                    new ProcessSupervisor(), io, () -> endedBeforeRecord.complete(!log.ended()));

            List<BuildOutput> records = log.read().collectList().block(Duration.ofSeconds(20));
            assertThat(records).last().satisfies(last -> assertThat(last.end().exitCode()).isZero());
            assertThat(endedBeforeRecord.getNow(false)).as("the ended step had run, and before the end record").isTrue();
        } finally {
            io.shutdownNow();
        }
    }
}
