package dev.hearth.pool.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.hearth.pool.ImagePool;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.Pools;
import dev.hearth.pool.lease.MutableClock;
import dev.hearth.pool.local.LocalPodDriver;
import dev.hearth.pool.redis.RedisConnections;
import dev.hearth.pool.redis.RedisLeaseStore;
import dev.hearth.pool.redis.RedisRuntimeRegistry;
import dev.hearth.pool.redis.RedisServerExtension;
import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.pool.registry.RuntimeRegistry;
import dev.hearth.runner.client.ExecutionEvent;
import dev.hearth.runner.client.RunnerClient;
import dev.hearth.runner.protocol.ExecutionRequest;
import dev.hearth.runner.testing.TarGz;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The holder of a runtime serves it from memory, with no registry read per execution, and a delete on another replica
 * still ends it before the delete answers (RuntimeLookup's rule). Two replicas — each its own local pods, Redis
 * connections and Runtimes — on one real redis-server.
 */
class HeldRuntimeServingIT {

    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @TempDir
    Path work;

    private final MutableClock clock = new MutableClock(Instant.now());
    private Replica a;
    private Replica b;

    /** One gateway replica's pool side. */
    private record Replica(LocalPodDriver driver, ImagePool pool, CountingRegistry registry, Runtimes runtimes) {
        void close() {
            runtimes.maintenance().stop().block(WAIT);
            pool.close();
            driver.close();
        }
    }

    @BeforeEach
    void start() {
        redis.flushAll();
        a = replica("a");
        b = replica("b");
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
        assertThat(a.driver().liveProcesses() + b.driver().liveProcesses()).as("function processes left").isZero();
    }

    private Replica replica(String name) {
        RedisConnections connections = redis.connect();
        LocalPodDriver driver = new LocalPodDriver(work.resolve(name), "127.0.0.1");
        ImagePool pool = new ImagePool(new PoolConfig("local/shell", 1, 8, 16, Duration.ofSeconds(10), "exec", "sh",
                Duration.ofSeconds(10)), driver, PoolObserver.NONE);
        pool.start();
        CountingRegistry registry = new CountingRegistry(new RedisRuntimeRegistry(connections));
        Runtimes runtimes = new Runtimes(new Pools(List.of(pool)), new RedisLeaseStore(connections), registry,
                RunnerClient.create(Duration.ofSeconds(2)), RuntimesConfig.of("replica-" + name, TTL,
                Duration.ofHours(1), Duration.ofHours(1)), clock, RuntimeObserver.NONE);
        runtimes.maintenance().start(Flux.never());
        await("replica " + name + " hears removals").atMost(WAIT).until(registry::hearsRemovals);
        return new Replica(driver, pool, registry, runtimes);
    }

    @Test
    void theHolderServesItsRuntimeWithoutReadingTheRegistry() {
        create(a, "held-1");
        a.registry().gets.set(0);

        for (int i = 0; i < 20; i++) {
            assertThat(run(a, "held-1", "x" + i)).as("execution " + i).isEqualTo("served\nx" + i);
        }

        assertThat(a.registry().gets.get()).as("registry reads by the holder over 20 executions").isZero();
        assertThat(run(b, "held-1", "via-b")).as("the other replica serves it too").isEqualTo("served\nvia-b");
        assertThat(b.registry().gets.get()).as("registry reads by the other replica").isEqualTo(1);
    }

    @Test
    void aDeleteOnAnotherReplicaEndsTheHeldRuntimeBeforeItAnswers() {
        create(a, "held-2");
        assertThat(run(a, "held-2", "before")).as("before the delete").isEqualTo("served\nbefore");
        // The holder hears of the delete late: only the deleter's wait for its release keeps the answer exact.
        a.registry().announcementDelay = Duration.ofMillis(300);

        b.runtimes().delete("held-2").block(WAIT);

        assertThatThrownBy(() -> a.runtimes().resolve("held-2", null).block(WAIT))
                .as("the holder, right after the other replica's delete answered")
                .isInstanceOf(RuntimeNotFoundException.class);
        await("the holder destroyed the pod").atMost(WAIT).until(() -> a.pool().metrics().claimed() == 0);
    }

    @Test
    void aHolderPastItsLeaseAsItKnowsItReadsTheRegistryAgain() {
        create(a, "held-3");
        a.registry().gets.set(0);
        clock.advance(TTL.plusSeconds(1));

        assertThat(run(a, "held-3", "late")).as("still registered, still served").isEqualTo("served\nlate");

        assertThat(a.registry().gets.get()).as("registry reads once the lease ran out as the holder knows it")
                .isEqualTo(1);
    }

    private static void create(Replica replica, String id) {
        byte[] archive = TarGz.builder().file("main.sh", "echo served; cat").build();
        replica.runtimes().create(RuntimeSpec.of(id, "local/shell", "main.sh", Map.of()), new StoredArchive(archive))
                .block(WAIT);
    }

    private static String run(Replica replica, String id, String input) {
        ResolvedRuntime runtime = replica.runtimes().resolve(id, null).block(WAIT);
        StringBuilder body = new StringBuilder();
        replica.runtimes().execute(runtime, new ExecutionRequest("POST", "/", Map.of(), 10_000),
                        Flux.just(Unpooled.copiedBuffer(input, StandardCharsets.UTF_8)))
                .doOnNext(event -> {
                    if (event instanceof ExecutionEvent.Body chunk) {
                        body.append(chunk.chunk().toString(StandardCharsets.UTF_8));
                        chunk.chunk().release();
                    }
                })
                .blockLast(WAIT);
        return body.toString();
    }

    /** The Redis registry, counting its {@code get} calls and delaying the removals it hears as a test asks. */
    private static final class CountingRegistry implements RuntimeRegistry {
        final AtomicInteger gets = new AtomicInteger();
        volatile Duration announcementDelay = Duration.ZERO;
        private final RuntimeRegistry store;

        CountingRegistry(RuntimeRegistry store) {
            this.store = store;
        }

        @Override
        public Mono<RuntimeRecord> reserve(RuntimeRecord record) {
            return store.reserve(record);
        }

        @Override
        public Mono<Boolean> update(RuntimeRecord record) {
            return store.update(record);
        }

        @Override
        public Mono<RuntimeRecord> get(String runtimeId) {
            return Mono.defer(() -> {
                gets.incrementAndGet();
                return store.get(runtimeId);
            });
        }

        @Override
        public Flux<RuntimeRecord> list() {
            return store.list();
        }

        @Override
        public Mono<RuntimeRecord> remove(String runtimeId) {
            return store.remove(runtimeId);
        }

        @Override
        public Mono<Void> touch(Map<String, Instant> activity) {
            return store.touch(activity);
        }

        @Override
        public Mono<Boolean> announceRemoval(RuntimeRecord removed) {
            return store.announceRemoval(removed);
        }

        @Override
        public Flux<Removal> announcedRemovals() {
            return store.announcedRemovals()
                    .concatMap(removal -> Mono.delay(announcementDelay).thenReturn(removal));
        }

        @Override
        public boolean hearsRemovals() {
            return store.hearsRemovals();
        }
    }
}
