package dev.hearth.pool.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.pool.ImagePool;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.Pools;
import dev.hearth.pool.lease.InMemoryLeaseStore;
import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.lease.MutableClock;
import dev.hearth.pool.local.LocalPodDriver;
import dev.hearth.pool.registry.InMemoryRuntimeRegistry;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.protocol.LogLine;
import dev.hearth.runner.protocol.RunnerProtocol;
import dev.hearth.runner.testing.TarGz;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** Runtimes over the real local driver: real runners on loopback, real function processes. */
class RuntimesIT {

    private static final Duration IDLE = Duration.ofMinutes(1);

    @TempDir
    Path work;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));
    private LocalPodDriver driver;
    private ImagePool pool;
    private Pools pools;
    private InMemoryLeaseStore leases;
    private InMemoryRuntimeRegistry registry;
    private Runtimes runtimes;

    @BeforeEach
    void start() {
        driver = new LocalPodDriver(work, "127.0.0.1");
        pool = new ImagePool(new PoolConfig("local/shell", 2, 8, 16, Duration.ofSeconds(10), "exec", "sh",
                Duration.ofSeconds(10)), driver, PoolObserver.NONE);
        pool.start();
        pools = new Pools(List.of(pool));
        leases = new InMemoryLeaseStore();
        registry = new InMemoryRuntimeRegistry();
        runtimes = runtimes(leases);
    }

    private Runtimes runtimes(LeaseStore store) {
        return new Runtimes(pools, store, registry, RunnerClient.create(Duration.ofSeconds(2)),
                RuntimesConfig.of("replica-1", Duration.ofSeconds(30), IDLE, Duration.ofHours(1)), clock,
                RuntimeObserver.NONE);
    }

    @AfterEach
    void stop() {
        runtimes.maintenance().stop().block(Duration.ofSeconds(10));
        pool.close();
        driver.close();
        assertThat(driver.liveProcesses()).as("function processes after the test").isZero();
    }

    private static StoredArchive source(String script) {
        return new StoredArchive(TarGz.builder().file("main.sh", script).build());
    }

    private static RuntimeSpec spec(String id) {
        return RuntimeSpec.of(id, "local/shell", "main.sh", Map.of("GREETING", "hi"));
    }

    private static RuntimeCreation creation(String id, SourceArchive source) {
        return new RuntimeCreation(spec(id), source);
    }

    private String run(String id, String input) {
        ResolvedRuntime runtime = runtimes.resolve(id, null).block();
        return body(runtimes.execute(runtime, request(), Flux.just(Unpooled.copiedBuffer(input, StandardCharsets.UTF_8))));
    }

    private static ExecutionRequest request() {
        return new ExecutionRequest("POST", "/", Map.of(), 10_000);
    }

    private static String body(Flux<ExecutionEvent> events) {
        StringBuilder body = new StringBuilder();
        events.doOnNext(event -> {
            if (event instanceof ExecutionEvent.Body chunk) {
                body.append(chunk.chunk().toString(StandardCharsets.UTF_8));
                chunk.chunk().release();
            }
        }).blockLast(Duration.ofSeconds(20));
        return body.toString();
    }

    private void awaitPoolAsBefore() {
        await("the pool is back to 2 warm pods, nothing else alive").atMost(Duration.ofSeconds(10))
                .until(() -> pool.metrics().warm() == 2 && pool.metrics().claimed() == 0 && driver.livePods() == 2);
    }

    @Test
    void createExecuteDeleteLeavesThePoolAsItWas() {
        RuntimeRecord record = runtimes.create(spec("rt-1"), source("echo \"$GREETING\"; cat")).block();
        assertThat(record.ready()).as("ready after create").isTrue();
        assertThat(leases.activeLeases()).as("one lease while the runtime lives").isEqualTo(1);
        assertThat(run("rt-1", "ping")).isEqualTo("hi\nping");
        assertThat(run("rt-1", "pong")).isEqualTo("hi\npong");

        runtimes.delete("rt-1").block();
        assertThat(registry.get("rt-1").blockOptional()).as("registry entry").isEmpty();
        assertThat(leases.activeLeases()).as("leases after delete").isZero();
        awaitPoolAsBefore();
        assertThatThrownBy(() -> runtimes.delete("rt-1").block()).isInstanceOf(RuntimeNotFoundException.class);
    }

    @Test
    void createReportsEveryPhaseOfTheCreation() {
        CreationTimings timings = runtimes.createTimed(spec("rt-t"), source("cat")).block().creation();
        assertThat(timings.reserveMs()).as("reserve").isPositive();
        assertThat(timings.acquireMs()).as("acquire").isPositive();
        assertThat(timings.leaseMs()).as("lease").isPositive();
        // Read whole while the pod was claimed, so the call waited for none of it (SourceAheadTest times a late read).
        assertThat(timings.sourceMs()).as("the specialize call's wait for the source").isZero();
        assertThat(timings.extractMs()).as("extract, as the runner reports it").isPositive();
        assertThat(timings.startMs()).as("start, as the runner reports it").isPositive();
        assertThat(timings.specializeMs()).as("the specialize call covers the runner's work")
                .isGreaterThanOrEqualTo(timings.extractMs() + timings.startMs());
        assertThat(timings.registerMs()).as("register").isPositive();
        runtimes.delete("rt-t").block();
    }

    @Test
    void aSmallArchiveIsSentWholeAndALargerOneStreamsBothLoadedByteForByte() {
        StoredArchive small = source("printf small");
        // Random bytes do not compress: the archive stays over the whole-archive limit.
        byte[] noise = new byte[400 * 1024];
        new java.util.Random(7).nextBytes(noise);
        StoredArchive large = new StoredArchive(TarGz.builder().file("main.sh", "wc -c < noise.bin | tr -d ' '")
                .file("noise.bin", noise, 0644).build());
        assertThat(large.archive.length).as("the large archive's size")
                .isGreaterThan(RunnerProtocol.WHOLE_ARCHIVE_BYTES);

        CreationTimings timings = runtimes.createTimed(spec("rt-small"), small).block().creation();
        assertThat(small.wholeReads).as("the small archive read whole").hasValue(1);
        assertThat(small.streams).as("and not streamed").hasValue(0);
        assertThat(timings.sourceMs()).as("read before the call needed it, or while it waited")
                .isLessThanOrEqualTo(timings.specializeMs());
        runtimes.createTimed(spec("rt-large"), large).block();
        assertThat(large.streams).as("the large archive streamed").hasValue(1);

        assertThat(run("rt-small", "")).isEqualTo("small");
        assertThat(run("rt-large", "")).isEqualTo(String.valueOf(noise.length) + "\n");
        runtimes.delete("rt-small").block();
        runtimes.delete("rt-large").block();
        awaitPoolAsBefore();
    }

    @Test
    void aSourceThatCannotBeReadFailsTheCreationAndLeavesNothing() {
        SourceArchive missing = new SourceArchive() {
            @Override
            public Mono<ByteBuf> whole(int maxBytes) {
                return Mono.error(new IllegalStateException("no object at code.tar.gz"));
            }

            @Override
            public Flux<ByteBuf> stream() {
                return Flux.error(new IllegalStateException("no object at code.tar.gz"));
            }
        };

        assertThatThrownBy(() -> runtimes.createTimed(spec("rt-missing"), missing).block())
                .hasMessageContaining("no object at code.tar.gz");
        assertThat(registry.get("rt-missing").blockOptional()).as("registry entry").isEmpty();
        assertThat(leases.activeLeases()).as("leases").isZero();
        awaitPoolAsBefore();
    }

    @Test
    void resolveFindsCreatesOrRefuses() {
        assertThatThrownBy(() -> runtimes.resolve("rt-r", null).block())
                .as("no runtime and nothing to create it from").isInstanceOf(RuntimeNotFoundException.class);
        ResolvedRuntime created = runtimes.resolve("rt-r", creation("rt-r", source("cat"))).block();
        assertThat(created.creation()).as("the request that created it sees the creation's phases")
                .isNotEqualTo(CreationTimings.NONE);
        assertThat(created.waitNanos()).as("and waited for it").isPositive();
        ResolvedRuntime found = runtimes.resolve("rt-r", creation("rt-r", source("never read"))).block();
        assertThat(found.record().podId()).as("the same runtime, found ready").isEqualTo(created.record().podId());
        assertThat(found.creation()).as("a request that found it ready created nothing").isEqualTo(CreationTimings.NONE);
        assertThat(found.waitNanos()).isZero();
        runtimes.delete("rt-r").block();
    }

    @Test
    void secondCreateOfOneIdConflicts() {
        runtimes.create(spec("rt-2"), source("true")).block();
        assertThatThrownBy(() -> runtimes.create(spec("rt-2"), source("true")).block())
                .isInstanceOf(RuntimeConflictException.class);
        runtimes.delete("rt-2").block();
    }

    @Test
    void failedSpecializationReleasesEverything() {
        byte[] evil = TarGz.builder().file("../escape.sh", "true").build();
        assertThatThrownBy(() -> runtimes.create(spec("rt-3"), new StoredArchive(evil)).block())
                .isInstanceOf(RuntimeStartException.class);
        assertThat(registry.get("rt-3").blockOptional()).as("registry entry").isEmpty();
        assertThat(leases.activeLeases()).as("leases").isZero();
        awaitPoolAsBefore();
        assertThat(work.resolve("escape.sh")).as("nothing written outside").doesNotExist();
    }

    @Test
    void concurrentOnTheFlyCreationsShareOne() {
        StoredArchive counted = source("cat");
        List<ResolvedRuntime> resolved = Flux.range(0, 10)
                .flatMap(i -> runtimes.resolve("rt-4", creation("rt-4", counted)))
                .collectList()
                .block(Duration.ofSeconds(20));
        assertThat(resolved).hasSize(10).allMatch(runtime -> runtime.record().ready());
        assertThat(resolved.stream().map(runtime -> runtime.record().podId()).distinct()).as("one pod for all").hasSize(1);
        assertThat(resolved.stream().filter(runtime -> runtime.creation() != CreationTimings.NONE))
                .as("only the request that ran the creation reports its phases").hasSize(1);
        assertThat(counted.reads()).as("source read once").isEqualTo(1);
        runtimes.delete("rt-4").block();
    }

    @Test
    void idleRuntimesAreReapedButNeverWithAnExecutionInFlight() {
        runtimes.create(spec("rt-5"), source("cat")).block();
        Sinks.Many<ByteBuf> input = Sinks.many().unicast().onBackpressureBuffer();
        Mono<String> inFlight = Mono.fromCallable(() -> body(runtimes.execute(runtimes.resolve("rt-5", null).block(),
                request(), input.asFlux()))).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()).cache();
        inFlight.subscribe();
        await("the execution is in flight: its body is being read").until(() -> inputSubscribed(input));

        clock.advance(IDLE.plusSeconds(1));
        runtimes.maintenance().reapIdle().block();
        assertThat(registry.get("rt-5").blockOptional()).as("busy runtime survives reaping").isPresent();

        input.tryEmitNext(Unpooled.copiedBuffer("done", StandardCharsets.UTF_8));
        input.tryEmitComplete();
        assertThat(inFlight.block(Duration.ofSeconds(10))).as("execution completed").isEqualTo("done");
        runtimes.maintenance().reapIdle().block();
        assertThat(registry.get("rt-5").blockOptional()).as("not idle yet: it just ran").isPresent();

        clock.advance(IDLE.plusSeconds(1));
        runtimes.maintenance().reapIdle().block();
        assertThat(registry.get("rt-5").blockOptional()).as("idle runtime reaped").isEmpty();
        assertThat(leases.activeLeases()).isZero();
    }

    private static boolean inputSubscribed(Sinks.Many<ByteBuf> input) {
        return input.currentSubscriberCount() > 0;
    }

    @Test
    void activityIsWrittenToTheRegistryInBatchesNotPerExecution() {
        RuntimeRecord record = runtimes.create(spec("rt-a"), source("cat")).block();
        clock.advance(Duration.ofSeconds(5));
        run("rt-a", "x");
        run("rt-a", "y");
        assertThat(registry.get("rt-a").block().updated()).as("no write on the response path")
                .isEqualTo(record.updated());
        runtimes.maintenance().flushActivity().block();
        assertThat(registry.get("rt-a").block().updated()).as("written by the flush")
                .isEqualTo(record.updated().plusSeconds(5));
        runtimes.delete("rt-a").block();
    }

    @Test
    void logsAreReadWithTheRuntimesOwnFencingToken() {
        RuntimeRecord record = runtimes.create(spec("rt-l"), source("echo to-the-log >&2; cat")).block();
        assertThat(record.leaseToken()).as("a real token").isPositive();
        List<LogLine> lines = runtimes.logs(record, false).collectList().block(Duration.ofSeconds(10));
        assertThat(lines).as("the runner answered the call carrying the runtime's token").isNotNull();
        runtimes.delete("rt-l").block();
    }

    @Test
    void aRuntimeWhoseLeaseIsLostIsEnded() {
        RuntimeRecord record = runtimes.create(spec("rt-6"), source("true")).block();
        Lease lease = leases.current(record.podId()).block();
        leases.release(lease).block();
        runtimes.maintenance().renewLeases().block();
        assertThatThrownBy(() -> run("rt-6", "x")).as("a runtime without its lease is not found")
                .isInstanceOf(RuntimeNotFoundException.class);
        assertThat(registry.get("rt-6").blockOptional()).as("its stale record is cleaned up").isEmpty();
        awaitPoolAsBefore();
    }

    @Test
    void aRuntimeWhosePodDiesIsEnded() {
        Sinks.Many<String> deaths = Sinks.many().multicast().directBestEffort();
        runtimes.maintenance().start(deaths.asFlux());
        RuntimeRecord record = runtimes.create(spec("rt-d"), source("cat")).block();
        deaths.tryEmitNext(record.podId());
        await("the runtime of the dead pod is gone").atMost(Duration.ofSeconds(10))
                .until(() -> registry.get("rt-d").blockOptional().isEmpty());
        assertThat(leases.activeLeases()).as("its lease released").isZero();
    }

    @Test
    void aPodLeasedByAnotherHolderFailsTheCreationWithoutTouchingTheOtherLease() {
        Set<String> takenPods = ConcurrentHashMap.newKeySet();
        LeaseStore contended = new LeaseStore() {
            @Override
            public Mono<Lease> claim(String podId, String holder, Duration ttl) {
                // Another replica takes the pod's lease just before this one asks.
                return leases.claim(podId, "replica-2", ttl).doOnNext(lease -> takenPods.add(podId))
                        .then(leases.claim(podId, holder, ttl));
            }

            @Override
            public Flux<Lease> renew(Collection<Lease> held, Duration ttl) {
                return leases.renew(held, ttl);
            }

            @Override
            public Mono<Void> release(Lease lease) {
                return leases.release(lease);
            }

            @Override
            public Mono<Lease> current(String podId) {
                return leases.current(podId);
            }
        };

        assertThatThrownBy(() -> runtimes(contended).create(spec("rt-taken"), source("echo x")).block())
                .hasMessageContaining("leased by another holder");

        assertThat(takenPods).as("the pod the other replica leased").hasSize(1);
        String taken = takenPods.iterator().next();
        Lease other = leases.current(taken).block();
        assertThat(other).as("the other holder's lease survives the failed creation").isNotNull();
        assertThat(other.holder()).isEqualTo("replica-2");
        assertThat(registry.get("rt-taken").blockOptional()).as("no record left").isEmpty();
        assertThat(pool.metrics().claimed()).as("the pod was let go of, not destroyed").isZero();
        await("two warm pods and the other holder's, still alive").atMost(Duration.ofSeconds(10))
                .until(() -> driver.livePods() == 3 && pool.metrics().warm() == 2);
        leases.release(other).block();
        driver.delete(taken).block();
    }
}
