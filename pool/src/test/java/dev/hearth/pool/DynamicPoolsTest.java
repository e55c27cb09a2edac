package dev.hearth.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pools made at call time: one per config however many ask at once, bounded, closed only when idle. */
class DynamicPoolsTest {

    final FakePodDriver driver = new FakePodDriver();
    final AtomicInteger made = new AtomicInteger();
    final List<String> heard = new CopyOnWriteArrayList<>();
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };
    DynamicPools pools;

    @AfterEach
    void close() {
        pools.close();
    }

    DynamicPools pools(int max) {
        pools = new DynamicPools(config -> {
            made.incrementAndGet();
            ImagePool pool = new ImagePool(config, driver, PoolObserver.NONE);
            pool.start();
            return pool;
        }, new DynamicPools.Settings(max, Duration.ofMinutes(10)), clock);
        pools.listen(new DynamicPools.Listener() {
            @Override public void opened(PodPool pool) { heard.add("opened " + pool.config().image()); }
            @Override public void closed(PodPool pool) { heard.add("closed " + pool.config().image()); }
        });
        return pools;
    }

    @Test
    void concurrentCallersOfOneConfigShareOnePool() throws Exception {
        pools(8);
        PoolConfig config = config("a:1", new PodLimits(1, 512));
        ExecutorService threads = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<PodPool>> got = new java.util.ArrayList<>();
        for (int i = 0; i < 32; i++) {
            got.add(threads.submit(() -> {
                go.await();
                return pools.get(config);
            }));
        }
        go.countDown();
        java.util.Set<PodPool> distinct = ConcurrentHashMap.newKeySet();
        for (Future<PodPool> future : got) {
            distinct.add(future.get(10, TimeUnit.SECONDS));
        }
        threads.shutdown();

        assertThat(distinct).hasSize(1);
        assertThat(made).hasValue(1);
        assertThat(heard).containsExactly("opened a:1");
        assertThat(pools.get(config("a:1", new PodLimits(2, 512)))).as("other limits, other pool")
                .isNotSameAs(distinct.iterator().next());
    }

    @Test
    void manyDistinctImagesMakeAtMostMaxPoolsAndTheNextIsRefusedUntilOneIsIdle() {
        pools(3);
        for (int i = 0; i < 3; i++) {
            pools.get(config("image-" + i + ":1", PodLimits.NONE));
        }

        assertThatThrownBy(() -> pools.get(config("image-3:1", PodLimits.NONE)))
                .isInstanceOf(PoolExhaustedException.class).hasMessageContaining("max-pools");
        assertThat(pools.all()).hasSize(3);

        now.set(now.get().plus(Duration.ofMinutes(11)));
        assertThat(pools.get(config("image-3:1", PodLimits.NONE))).as("idle ones closed to make room").isNotNull();
        assertThat(pools.all()).hasSize(1);
        assertThat(heard).contains("closed image-0:1", "opened image-3:1");
    }

    @Test
    void aPoolIsClosedOnlyWhenUnusedLongEnoughAndNoPodOfItIsHandedOut() {
        pools(8);
        PoolConfig config = config("busy:1", PodLimits.NONE);
        PooledPod pod = pools.get(config).acquire().block(Duration.ofSeconds(5));

        now.set(now.get().plus(Duration.ofMinutes(11)));
        assertThat(pools.closeIdle()).as("a pod is handed out").isZero();

        pod.invalidate();
        assertThat(pools.closeIdle()).isEqualTo(1);
        assertThat(pools.all()).isEmpty();
        assertThat(driver.alive).as("its pods are gone").isEmpty();

        now.set(now.get().plus(Duration.ofMinutes(1)));
        PodPool again = pools.get(config);
        assertThat(pools.closeIdle()).as("just used").isZero();
        assertThat(again.acquire().block(Duration.ofSeconds(5))).isNotNull();
    }

    static PoolConfig config(String image, PodLimits limits) {
        return new PoolConfig(image, 2, 8, 4, Duration.ofSeconds(5), "exec", "sh", Duration.ofSeconds(5))
                .perRuntime(image, "exec", limits);
    }
}
