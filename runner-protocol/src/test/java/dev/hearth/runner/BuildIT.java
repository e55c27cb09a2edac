package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.runner.client.RunnerCallException;
import dev.hearth.runner.protocol.BuildEnd;
import dev.hearth.runner.protocol.BuildOutput;
import dev.hearth.runner.protocol.BuildRequest;
import dev.hearth.runner.testing.TarGz;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Builds on a real runner: the source arrives unextracted, the command runs, the log streams, the artifact reads back. */
class BuildIT {

    /** What Open Runtimes' build scripts do, in the paths of an Open Runtimes container. */
    private static final String BUILD = "mkdir -p /mnt/code && tar -xzf /tmp/code.tar.gz -C /mnt/code"
            + " && echo generated > /mnt/code/generated.txt && echo 'building…' && echo 'to stderr' >&2"
            + " && (cd /mnt/code && tar -czf \"$TMPDIR/out.tar.gz\" .) && mv \"$TMPDIR/out.tar.gz\" /mnt/code/code.tar.gz";

    @TempDir
    Path workDir;
    RunnerHarness harness;

    @BeforeEach
    void start() {
        harness = RunnerHarness.start(workDir);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private List<BuildOutput> build(String command, long timeoutMs, byte[] source) {
        return harness.client.build(harness.target, new BuildRequest(command, Map.of("GREETING", "hi"), timeoutMs, null),
                        Mono.just(Unpooled.wrappedBuffer(source)))
                .collectList()
                .block(RunnerHarness.BLOCK);
    }

    private static String output(List<BuildOutput> records) {
        StringBuilder text = new StringBuilder();
        records.stream().filter(record -> !record.ends()).forEach(record -> text.append(record.content()));
        return text.toString();
    }

    @Test
    void aBuildRunsOnTheUnextractedSourceStreamsItsLogAndLeavesItsArtifact() throws IOException {
        byte[] source = TarGz.builder().file("main.sh", "echo hello").build();
        List<BuildOutput> records = build(BUILD + " && echo \"$GREETING\"", 30_000, source);

        BuildOutput last = records.get(records.size() - 1);
        assertThat(last.end()).as("the end record, last").isNotNull();
        assertThat(last.end().exitCode()).as("exit code").isZero();
        assertThat(last.end().succeeded()).isTrue();
        assertThat(output(records)).as("stdout and stderr, the build's environment included")
                .contains("building…\n").contains("to stderr\n").contains("hi\n");
        assertThat(records).as("timestamps never go back").extracting(record -> Instant.parse(record.timestamp()))
                .isSorted();

        byte[] artifact = ByteBufUtil.getBytes(harness.client.artifact(harness.target, "/mnt/code/code.tar.gz")
                .reduce(Unpooled.buffer(), (all, chunk) -> {
                    all.writeBytes(chunk);
                    chunk.release();
                    return all;
                })
                .block(RunnerHarness.BLOCK));
        assertThat(entries(artifact)).as("the artifact: the source plus what the build made")
                .contains("./main.sh", "./generated.txt");
    }

    @Test
    void aV2BuildNamesTheV2CodeDirectoryAndLeavesItsArtifactThere() throws IOException {
        // As a v2 image's build.sh does after upstream's "tar -zxf /tmp/code.tar.gz -C /usr/code": pack /usr/code.
        String v2 = "mkdir -p /usr/code && tar -zxf /tmp/code.tar.gz -C /usr/code && cd /usr/code"
                + " && tar -czf \"$TMPDIR/out.tar.gz\" . && mv \"$TMPDIR/out.tar.gz\" /usr/code/code.tar.gz";
        List<BuildOutput> records = build(v2, 30_000, TarGz.builder().file("index.js", "x").build());
        assertThat(records.get(records.size() - 1).end().exitCode()).as(output(records)).isZero();

        byte[] artifact = ByteBufUtil.getBytes(harness.client.artifact(harness.target, "/usr/code/code.tar.gz")
                .reduce(Unpooled.buffer(), (all, chunk) -> {
                    all.writeBytes(chunk);
                    chunk.release();
                    return all;
                })
                .block(RunnerHarness.BLOCK));
        assertThat(entries(artifact)).contains("./index.js");
    }

    @Test
    void aFailingBuildEndsWithItsExitCode() {
        List<BuildOutput> records = build("echo 'npm ERR! missing script' && exit 3", 30_000, new byte[0]);
        BuildEnd end = records.get(records.size() - 1).end();
        assertThat(end.exitCode()).as("exit code").isEqualTo(3);
        assertThat(end.succeeded()).isFalse();
        assertThat(output(records)).contains("npm ERR! missing script");
    }

    @Test
    void aBuildPastItsTimeoutIsKilledWithItsChildren() {
        List<BuildOutput> records = build("sleep 300 & echo started; wait", 500, new byte[0]);
        BuildEnd end = records.get(records.size() - 1).end();
        assertThat(end.timedOut()).as("timed out").isTrue();
        assertThat(end.exitCode()).as("killed").isEqualTo(-1);
        RunnerHarness.awaitZeroLiveProcesses(harness.runner);
    }

    @Test
    void anotherReaderFollowsTheSameLogFromItsStart() {
        Flux<BuildOutput> building = harness.client.build(harness.target,
                new BuildRequest("echo first; sleep 1; echo second", Map.of(), 30_000, null), Mono.empty());
        List<BuildOutput> direct = building.collectList().block(RunnerHarness.BLOCK);
        List<BuildOutput> followed = harness.client.buildLog(harness.target).collectList().block(RunnerHarness.BLOCK);
        assertThat(followed).as("the follower reads the whole log, end included").isEqualTo(direct);
    }

    @Test
    void aRunnerBuildsOnceAndNeverBothBuildsAndServes() {
        build("true", 30_000, new byte[0]);
        assertThatThrownBy(() -> build("true", 30_000, new byte[0])).as("a second build")
                .isInstanceOf(RunnerCallException.class).hasMessageContaining("already_specialized");
        assertThatThrownBy(() -> harness.specializeExec("cat")).as("specializing a runner that built")
                .isInstanceOf(RunnerCallException.class).hasMessageContaining("already_specialized");
        assertThat(harness.client.health("127.0.0.1", harness.runner.address().getPort()).block().specialized())
                .as("a built pod does not count as warm").isTrue();
    }

    @Test
    void artifactsAreReadFromThePodsOwnDirectoriesOnlyAndOnlyAfterTheBuild() {
        assertThatThrownBy(() -> harness.client.artifact(harness.target, "/mnt/code/code.tar.gz").blockLast())
                .as("before any build").hasMessageContaining("not_built");
        build("true", 30_000, new byte[0]);
        assertThatThrownBy(() -> harness.client.artifact(harness.target, "/etc/passwd").blockLast())
                .as("a file outside the pod's directories").hasMessageContaining("bad_request");
        assertThatThrownBy(() -> harness.client.artifact(harness.target, "/mnt/code/../../../etc/passwd").blockLast())
                .as("climbing out").hasMessageContaining("bad_request");
        assertThatThrownBy(() -> harness.client.artifact(harness.target, "/mnt/code/none.tar.gz").blockLast())
                .as("a missing artifact").hasMessageContaining("not_found");
    }

    private static List<String> entries(byte[] tarGz) throws IOException {
        List<String> names = new java.util.ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tarGz)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                names.add(entry.getName());
            }
        }
        return names;
    }

    static String text(ByteBuf buffer) {
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
