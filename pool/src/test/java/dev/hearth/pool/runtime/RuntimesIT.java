package dev.hearth.pool.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.Pools;
import dev.hearth.pool.lease.InMemoryLeaseStore;
import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.local.LocalPodDriver;
import dev.hearth.pool.registry.InMemoryRuntimeRegistry;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.testing.TarGz;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Runtimes over the real local driver: real runners on loopback, real function processes. */
class RuntimesIT {

    @TempDir
    Path work;

    private LocalPodDriver driver;
    private Pools pools;
    private InMemoryLeaseStore leases;
    private InMemoryRuntimeRegistry registry;
    private Runtimes runtimes;
    private RuntimeMaintenance maintenance;

    @BeforeEach
    void start() {
        driver = new LocalPodDriver(work, "127.0.0.1");
        pools = new Pools(List.of(new PoolConfig("local/shell", 2, 8, 16, Duration.ofSeconds(10), "exec", "sh",
                Duration.ofSeconds(10))), driver);
        pools.warmup();
        pools.startMaintenance(Duration.ofMillis(200));
        leases = new InMemoryLeaseStore();
        registry = new InMemoryRuntimeRegistry();
        runtimes = new Runtimes(pools, leases, registry, RunnerClient.create(Duration.ofSeconds(2)),
                new RuntimesConfig("replica-1", Duration.ofSeconds(30), Duration.ofMillis(300), Duration.ofHours(1)),
                Clock.systemUTC());
        maintenance = new RuntimeMaintenance(runtimes);
    }

    @AfterEach
    void stop() {
        maintenance.close();
        pools.close();
        driver.close();
        assertThat(driver.liveProcesses()).as("function processes after the test").isZero();
    }

    private static Flux<ByteBuf> source(String script) {
        byte[] archive = TarGz.builder().file("main.sh", script).build();
        return Flux.defer(() -> Flux.just(Unpooled.wrappedBuffer(archive)));
    }

    private static RuntimeSpec spec(String id) {
        return new RuntimeSpec(id, "local/shell", "v5", "main.sh", "", Map.of("GREETING", "hi"));
    }

    private static String run(Runtimes runtimes, String id, String input) {
        ExecutionRequest request = new ExecutionRequest("POST", "/", Map.of(), 10_000);
        StringBuilder body = new StringBuilder();
        runtimes.execute(id, request, Flux.just(Unpooled.copiedBuffer(input, StandardCharsets.UTF_8)))
                .doOnNext(event -> {
                    if (event instanceof ExecutionEvent.Body chunk) {
                        body.append(chunk.chunk().toString(StandardCharsets.UTF_8));
                        chunk.chunk().release();
                    }
                })
                .blockLast(Duration.ofSeconds(20));
        return body.toString();
    }

    private void awaitWarm(int warm) throws InterruptedException {
        for (int i = 0; i < 200 && pools.forImage("local/shell").metrics().warm() != warm; i++) {
            Thread.sleep(25);
        }
        assertThat(pools.forImage("local/shell").metrics().warm()).as("warm pods").isEqualTo(warm);
        // Released pods are destroyed asynchronously.
        for (int i = 0; i < 200 && driver.livePods() != warm; i++) {
            Thread.sleep(25);
        }
    }

    @Test
    void createExecuteDeleteLeavesThePoolAsItWas() throws Exception {
        RuntimeRecord record = runtimes.create(spec("rt-1"), source("echo \"$GREETING\"; cat")).block();
        assertThat(record.ready()).as("ready after create").isTrue();
        assertThat(leases.activeLeases()).as("one lease while the runtime lives").isEqualTo(1);
        assertThat(run(runtimes, "rt-1", "ping")).isEqualTo("hi\nping");
        assertThat(run(runtimes, "rt-1", "pong")).isEqualTo("hi\npong");

        runtimes.delete("rt-1").block();
        assertThat(registry.get("rt-1").blockOptional()).as("registry entry").isEmpty();
        assertThat(leases.activeLeases()).as("leases after delete").isZero();
        awaitWarm(2);
        assertThat(driver.livePods()).as("pods: the warm ones only").isEqualTo(2);
        assertThatThrownBy(() -> runtimes.delete("rt-1").block()).isInstanceOf(RuntimeNotFoundException.class);
    }

    @Test
    void secondCreateOfOneIdConflicts() {
        runtimes.create(spec("rt-2"), source("true")).block();
        assertThatThrownBy(() -> runtimes.create(spec("rt-2"), source("true")).block())
                .isInstanceOf(RuntimeConflictException.class);
        runtimes.delete("rt-2").block();
    }

    @Test
    void failedSpecializationReleasesEverything() throws Exception {
        byte[] evil = TarGz.builder().file("../escape.sh", "true").build();
        assertThatThrownBy(() -> runtimes.create(spec("rt-3"), Flux.just(Unpooled.wrappedBuffer(evil))).block())
                .isInstanceOf(RuntimeStartException.class);
        assertThat(registry.get("rt-3").blockOptional()).as("registry entry").isEmpty();
        assertThat(leases.activeLeases()).as("leases").isZero();
        awaitWarm(2);
        assertThat(driver.livePods()).as("pods").isEqualTo(2);
        assertThat(work.resolve("escape.sh")).as("nothing written outside").doesNotExist();
    }

    @Test
    void concurrentOnTheFlyCreationsShareOne() {
        AtomicInteger subscriptions = new AtomicInteger();
        Flux<ByteBuf> counted = source("cat").doOnSubscribe(s -> subscriptions.incrementAndGet());
        List<RuntimeRecord> records = Flux.range(0, 10)
                .flatMap(i -> runtimes.getOrCreate(spec("rt-4"), counted, Duration.ofMillis(20)))
                .collectList()
                .block(Duration.ofSeconds(20));
        assertThat(records).hasSize(10).allMatch(RuntimeRecord::ready);
        assertThat(records.stream().map(RuntimeRecord::podId).distinct()).as("one pod for all").hasSize(1);
        assertThat(subscriptions.get()).as("source read once").isEqualTo(1);
        runtimes.delete("rt-4").block();
    }

    @Test
    void idleRuntimesAreReapedButNeverWithAnExecutionInFlight() throws Exception {
        runtimes.create(spec("rt-5"), source("sleep 1; echo done")).block();
        ExecutionRequest request = new ExecutionRequest("GET", "/", Map.of(), 10_000);
        Mono<List<ExecutionEvent>> slow = runtimes.execute("rt-5", request, Flux.empty())
                .doOnNext(event -> {
                    if (event instanceof ExecutionEvent.Body chunk) {
                        chunk.chunk().release();
                    }
                })
                .collectList()
                .cache();
        slow.subscribe();
        Thread.sleep(600);
        maintenance.reapIdle().block();
        assertThat(registry.get("rt-5").blockOptional()).as("busy runtime survives reaping").isPresent();
        assertThat(slow.block(Duration.ofSeconds(10))).as("execution completed").isNotEmpty();
        Thread.sleep(400);
        maintenance.reapIdle().block();
        assertThat(registry.get("rt-5").blockOptional()).as("idle runtime reaped").isEmpty();
        assertThat(leases.activeLeases()).isZero();
    }

    @Test
    void aRuntimeWhoseLeaseIsLostIsEnded() {
        RuntimeRecord record = runtimes.create(spec("rt-6"), source("true")).block();
        Lease lease = leases.current(record.podId()).block();
        leases.release(lease).block();
        maintenance.renewLeases().block();
        assertThatThrownBy(() -> run(runtimes, "rt-6", "x")).as("a runtime without its lease is not found")
                .isInstanceOf(RuntimeNotFoundException.class);
        assertThat(registry.get("rt-6").blockOptional()).as("its stale record is cleaned up").isEmpty();
    }

    @Test
    void aPodLeasedByAnotherHolderFailsTheCreationWithoutTouchingTheOtherLease() {
        java.util.Set<String> takenPods = java.util.concurrent.ConcurrentHashMap.newKeySet();
        dev.hearth.pool.lease.LeaseStore contended = new dev.hearth.pool.lease.LeaseStore() {
            @Override
            public Mono<Lease> claim(String podId, String holder, Duration ttl) {
                // Another replica takes the pod's lease just before this one asks.
                return leases.claim(podId, "replica-2", ttl).doOnNext(lease -> takenPods.add(podId))
                        .then(leases.claim(podId, holder, ttl));
            }

            @Override
            public Flux<Lease> renew(java.util.Collection<Lease> held, Duration ttl) {
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
        Runtimes contendedRuntimes = new Runtimes(pools, contended, registry, RunnerClient.create(Duration.ofSeconds(2)),
                new RuntimesConfig("replica-1", Duration.ofSeconds(30), Duration.ofMillis(300), Duration.ofHours(1)),
                Clock.systemUTC());

        assertThatThrownBy(() -> contendedRuntimes.create(spec("rt-taken"), source("echo x")).block())
                .hasMessageContaining("leased by another holder");

        assertThat(takenPods).as("the pod the other replica leased").hasSize(1);
        Lease other = leases.current(takenPods.iterator().next()).block();
        assertThat(other).as("the other holder's lease survives the failed creation").isNotNull();
        assertThat(other.holder()).isEqualTo("replica-2");
        assertThat(registry.get("rt-taken").blockOptional()).as("no record left").isEmpty();
        leases.release(other).block();
    }
}
