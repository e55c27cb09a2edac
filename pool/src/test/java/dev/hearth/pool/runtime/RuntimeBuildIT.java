package dev.hearth.pool.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.pool.ImagePool;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.Pools;
import dev.hearth.pool.lease.InMemoryLeaseStore;
import dev.hearth.pool.local.LocalPodDriver;
import dev.hearth.pool.registry.InMemoryRuntimeRegistry;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.protocol.BuildOutput;
import dev.hearth.runner.testing.TarGz;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Builds over the real local driver: a real runner builds in its pod; everything is released after. */
class RuntimeBuildIT {

    @TempDir
    Path work;

    private LocalPodDriver driver;
    private ImagePool pool;
    private InMemoryLeaseStore leases;
    private InMemoryRuntimeRegistry registry;
    private Runtimes runtimes;

    @BeforeEach
    void start() {
        driver = new LocalPodDriver(work, "127.0.0.1");
        pool = new ImagePool(new PoolConfig("local/shell", 1, 4, 8, Duration.ofSeconds(10), "exec", "sh",
                Duration.ofSeconds(10)), driver, PoolObserver.NONE);
        pool.start();
        leases = new InMemoryLeaseStore();
        registry = new InMemoryRuntimeRegistry();
        runtimes = new Runtimes(new Pools(List.of(pool)), leases, registry, RunnerClient.create(Duration.ofSeconds(2)),
                new RuntimesConfig("replica-1", Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofHours(1),
                        Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMillis(1)),
                Clock.systemUTC(), RuntimeObserver.NONE);
    }

    @AfterEach
    void stop() {
        runtimes.maintenance().stop().block(Duration.ofSeconds(10));
        pool.close();
        driver.close();
        assertThat(driver.liveProcesses()).as("processes after the test").isZero();
    }

    private static RuntimeSpec spec(String id) {
        return new RuntimeSpec(id, "local/shell", "v5", "/storage/functions/f.tar.gz", "index.js", "",
                Map.of("GREETING", "hi"), 1.5, 256, true, "no");
    }

    private static Flux<ByteBuf> source() {
        byte[] archive = TarGz.builder().file("index.js", "console.log('hi')").build();
        return Flux.defer(() -> Flux.just(Unpooled.wrappedBuffer(archive)));
    }

    private static BuildSpec build(String command) {
        return new BuildSpec(command, Duration.ofMinutes(1), "dist");
    }

    private void awaitReleased(String id) {
        await("everything of " + id + " is released").atMost(Duration.ofSeconds(10))
                .until(() -> registry.get(id).blockOptional().isEmpty() && leases.activeLeases() == 0
                        && pool.metrics().claimed() == 0);
    }

    @Test
    void aBuildRunsInAPodWithTheRuntimesEnvironmentAndLeavesItsArtifact() {
        BuiltRuntime built = runtimes.build(spec("b-1"), build("tar -xzf /tmp/code.tar.gz -C /mnt/code"
                + " && echo \"$GREETING $OPEN_RUNTIMES_ENTRYPOINT $OPEN_RUNTIMES_CPUS $OPEN_RUNTIMES_MEMORY"
                + " $OPEN_RUNTIMES_OUTPUT_DIRECTORY $CI\" && cd /mnt/code && tar -czf \"$TMPDIR/a.tar.gz\" ."
                + " && mv \"$TMPDIR/a.tar.gz\" /mnt/code/code.tar.gz"), source()).block(Duration.ofSeconds(30));

        assertThat(built.outcome().succeeded()).as("succeeded").isTrue();
        assertThat(built.outcome().text()).as("the build saw the runtime's environment")
                .contains("hi index.js 1.5 256 dist true");
        assertThat(built.record().ready()).as("pending until finished").isFalse();
        assertThat(registry.get("b-1").block().podId()).as("registered with its pod while it builds")
                .isEqualTo(built.record().podId());
        long size = runtimes.artifact(built.record(), "/mnt/code/code.tar.gz")
                .map(chunk -> {
                    int bytes = chunk.readableBytes();
                    chunk.release();
                    return (long) bytes;
                })
                .reduce(0L, Long::sum)
                .block(Duration.ofSeconds(10));
        assertThat(size).as("artifact bytes").isPositive();

        runtimes.finishBuild(built, false).block(Duration.ofSeconds(10));
        awaitReleased("b-1");
    }

    @Test
    void aFailedBuildEndsWithItsExitCodeInTheOutputAsUpstreamPrintsIt() {
        BuiltRuntime built = runtimes.build(spec("b-2"), build("echo 'npm ERR!'; exit 3"), source())
                .block(Duration.ofSeconds(30));
        assertThat(built.outcome().succeeded()).isFalse();
        assertThat(built.outcome().end().exitCode()).isEqualTo(3);
        assertThat(built.outcome().text()).as("output, then upstream's exit line")
                .isEqualTo("npm ERR!\nBuild command exited with code 3.\n");
        runtimes.finishBuild(built, false).block(Duration.ofSeconds(10));
        awaitReleased("b-2");
    }

    @Test
    void aBuildOfAnIdInUseConflicts() {
        BuiltRuntime built = runtimes.build(spec("b-3"), build("true"), source()).block(Duration.ofSeconds(30));
        assertThatThrownBy(() -> runtimes.build(spec("b-3"), build("true"), source()).block(Duration.ofSeconds(30)))
                .isInstanceOf(RuntimeConflictException.class);
        runtimes.finishBuild(built, true).block(Duration.ofSeconds(10));
        assertThat(registry.get("b-3").block().ready()).as("kept: initialised").isTrue();
        runtimes.delete("b-3").block(Duration.ofSeconds(10));
        awaitReleased("b-3");
    }

    @Test
    void aBuildDeletedWhileItRunsFailsAndLeavesNothing() {
        Mono<BuiltRuntime> building = runtimes.build(spec("b-4"), build("echo started; sleep 30"), source()).cache();
        building.subscribe(ok -> { }, error -> { });
        await("the build runs in its pod").atMost(Duration.ofSeconds(10)).until(() -> {
            RuntimeRecord record = registry.get("b-4").block();
            return record != null && !record.podId().isEmpty()
                    && runtimes.buildLog(record).take(1).map(BuildOutput::content).blockFirst(Duration.ofSeconds(5))
                    .contains("started");
        });
        runtimes.delete("b-4").block(Duration.ofSeconds(10));
        assertThatThrownBy(() -> building.block(Duration.ofSeconds(20))).as("the build call fails").isNotNull();
        awaitReleased("b-4");
    }

    @Test
    void aBuildWhoseCallerLeavesIsEnded() {
        Mono<BuiltRuntime> building = runtimes.build(spec("b-5"), build("sleep 30"), source());
        var subscription = building.subscribe(ok -> { }, error -> { });
        await("the build runs in its pod").atMost(Duration.ofSeconds(10)).until(() -> {
            RuntimeRecord record = registry.get("b-5").block();
            return record != null && !record.podId().isEmpty();
        });
        subscription.dispose();
        awaitReleased("b-5");
    }

    @Test
    void aLongBuildIsNotTakenForAnOrphanedReservation() {
        Mono<BuiltRuntime> building = runtimes.build(spec("b-6"), build("sleep 1; echo done"), source()).cache();
        building.subscribe(ok -> { }, error -> { });
        await("building").atMost(Duration.ofSeconds(10)).until(() -> {
            RuntimeRecord record = registry.get("b-6").block();
            return record != null && !record.podId().isEmpty();
        });
        // Older than the orphan age (1 ms here) and pending: still its build's.
        runtimes.maintenance().removeOrphanedReservations().block(Duration.ofSeconds(5));
        assertThat(registry.get("b-6").blockOptional()).as("the build's reservation stays").isPresent();
        BuiltRuntime built = building.block(Duration.ofSeconds(30));
        assertThat(built.outcome().succeeded()).as("the build ran to its end").isTrue();
        runtimes.finishBuild(built, false).block(Duration.ofSeconds(10));
        awaitReleased("b-6");
    }
}
