package dev.hearth.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class ImagePoolTest {

    private final FakePodDriver driver = new FakePodDriver();
    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

    @AfterEach
    void disposeTime() {
        time.dispose();
    }

    private ImagePool pool(int size, int max, int maxPending) {
        return new ImagePool(new PoolConfig("img", size, max, maxPending, Duration.ofSeconds(5), "exec", "sh",
                Duration.ofSeconds(5)), driver, new dev.hearth.pool.accounting.LocalPoolAccounting(), time);
    }

    @Test
    void warmupFillsThePoolToSize() {
        ImagePool pool = pool(3, 10, 10);
        pool.warmup();
        assertThat(pool.metrics().warm()).as("warm pods after warmup").isEqualTo(3);
        assertThat(driver.alive).as("pods alive").hasSize(3);
    }

    @Test
    void claimReplenishesAtOnceWithoutATimer() {
        ImagePool pool = pool(2, 10, 10);
        pool.warmup();
        PooledPod claimed = pool.acquire().block();
        assertThat(claimed).isNotNull();
        PoolMetrics metrics = pool.metrics();
        assertThat(metrics.claimed()).as("claimed").isEqualTo(1);
        assertThat(metrics.warm()).as("warm again right after the claim").isEqualTo(2);
    }

    @Test
    void releaseDestroysThePodAndItIsNeverHandedOutAgain() {
        ImagePool pool = pool(1, 10, 10);
        pool.warmup();
        PooledPod first = pool.acquire().block();
        first.release();
        first.release();
        assertThat(driver.deleted).as("deleted once, even if released twice").containsExactly(first.pod().id());
        PooledPod second = pool.acquire().block();
        assertThat(second.pod().id()).as("next claim gets another pod").isNotEqualTo(first.pod().id());
        assertThat(pool.metrics().claimed()).isEqualTo(1);
    }

    @Test
    void sizeZeroCreatesAPodPerAcquisition() {
        ImagePool pool = pool(0, 5, 10);
        pool.warmup();
        assertThat(pool.metrics().warm()).as("no warm pods at size 0").isZero();
        PooledPod pod = pool.acquire().block();
        assertThat(pod).isNotNull();
        assertThat(pool.metrics().warm()).as("still no warm pods").isZero();
        pod.release();
        assertThat(driver.alive).as("on-demand pod destroyed after release").isEmpty();
    }

    @Test
    void neverHoldsMoreThanMaxPods() {
        ImagePool pool = pool(1, 3, 10);
        pool.warmup();
        List<PooledPod> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(pool.acquire().block());
        }
        PoolMetrics metrics = pool.metrics();
        assertThat(metrics.claimed() + metrics.warm() + metrics.creating()).as("pods held").isLessThanOrEqualTo(3);
        assertThat(driver.alive).as("alive pods").hasSizeLessThanOrEqualTo(3);
        held.forEach(PooledPod::release);
    }

    @Test
    void acquireTimesOutWhenNoPodBecomesAvailable() {
        ImagePool pool = pool(1, 1, 10);
        pool.warmup();
        PooledPod only = pool.acquire().block();
        StepVerifier.create(pool.acquire())
                .then(() -> time.advanceTimeBy(Duration.ofSeconds(5)))
                .expectError(AcquireTimeoutException.class)
                .verify(Duration.ofSeconds(2));
        assertThat(pool.metrics().pending()).as("timed-out waiter left the queue").isZero();
        only.release();
    }

    @Test
    void acquireFailsFastWhenThePendingQueueIsFull() {
        ImagePool pool = pool(1, 1, 2);
        pool.warmup();
        PooledPod only = pool.acquire().block();
        Disposable w1 = pool.acquire().subscribe(pod -> { }, error -> { });
        Disposable w2 = pool.acquire().subscribe(pod -> { }, error -> { });
        StepVerifier.create(pool.acquire()).expectError(PoolExhaustedException.class).verify(Duration.ofSeconds(2));
        assertThat(pool.metrics().pending()).as("pending bound holds").isEqualTo(2);
        w1.dispose();
        w2.dispose();
        assertThat(pool.metrics().pending()).as("cancelled waiters leave the queue").isZero();
        only.release();
    }

    @Test
    void aWaiterGetsThePodThatIsCreatedWhenAnotherIsReleased() {
        ImagePool pool = pool(1, 1, 2);
        pool.warmup();
        PooledPod only = pool.acquire().block();
        List<PooledPod> got = new ArrayList<>();
        pool.acquire().subscribe(got::add);
        assertThat(got).as("no pod yet").isEmpty();
        only.release();
        assertThat(got).as("waiter served after release freed room").hasSize(1);
        assertThat(got.get(0).pod().id()).isNotEqualTo(only.pod().id());
    }

    @Test
    void deadWarmPodIsReplaced() {
        ImagePool pool = pool(2, 10, 10);
        pool.warmup();
        String victim = driver.alive.iterator().next();
        driver.kill(victim);
        pool.podTerminated(victim);
        assertThat(pool.metrics().warm()).as("warm count restored").isEqualTo(2);
        assertThat(driver.alive).as("victim gone, replacement alive").doesNotContain(victim).hasSize(2);
    }

    @Test
    void creationFailuresAreRetriedWithBackoff() {
        driver.failNext = 2;
        ImagePool pool = pool(1, 10, 10);
        pool.warmup();
        assertThat(pool.metrics().warm()).as("first attempt failed").isZero();
        time.advanceTimeBy(Duration.ofMillis(100));
        assertThat(pool.metrics().warm()).as("second attempt failed").isZero();
        time.advanceTimeBy(Duration.ofMillis(200));
        assertThat(pool.metrics().warm()).as("third attempt succeeded").isEqualTo(1);
    }

    @Test
    void closeDestroysWarmPodsAndFailsWaiters() {
        ImagePool pool = pool(2, 2, 5);
        pool.warmup();
        PooledPod a = pool.acquire().block();
        PooledPod b = pool.acquire().block();
        List<Throwable> errors = new ArrayList<>();
        pool.acquire().subscribe(pod -> { }, errors::add);
        pool.close();
        assertThat(errors).as("waiter failed on close").hasSize(1);
        a.release();
        b.release();
        assertThat(driver.alive).as("nothing alive after close and release").isEmpty();
    }

    /** Local accounting whose warm reservations wait for the test while {@code gated}, as a slow Redis would. */
    private static final class GatedAccounting implements dev.hearth.pool.accounting.PoolAccounting {
        private final dev.hearth.pool.accounting.LocalPoolAccounting local = new dev.hearth.pool.accounting.LocalPoolAccounting();
        private final reactor.core.publisher.Sinks.Empty<Void> gate = reactor.core.publisher.Sinks.empty();
        private volatile boolean gated;

        @Override
        public Mono<Integer> reserveWarm(String image, int size, int wanted) {
            Mono<Integer> reservation = local.reserveWarm(image, size, wanted);
            return gated ? gate.asMono().then(reservation) : reservation;
        }

        @Override
        public Mono<Void> creationEnded(String image, boolean warm) {
            return local.creationEnded(image, warm);
        }

        @Override
        public Mono<Void> warmAdded(String image) {
            return local.warmAdded(image);
        }

        @Override
        public Mono<Void> warmGone(String image) {
            return local.warmGone(image);
        }

        @Override
        public Mono<Integer> globalWarm(String image) {
            return local.globalWarm(image);
        }

        @Override
        public Mono<Void> heartbeat() {
            return local.heartbeat();
        }

        @Override
        public Mono<Void> report(String image, int warm) {
            return local.report(image, warm);
        }
    }

    @Test
    void aWarmReservationInFlightHoldsItsRoomTowardMax() {
        GatedAccounting accounting = new GatedAccounting();
        ImagePool pool = new ImagePool(new PoolConfig("img", 2, 4, 10, Duration.ofSeconds(5), "exec", "sh",
                Duration.ofSeconds(5)), driver, accounting, time);
        pool.warmup();
        accounting.gated = true;
        List<PooledPod> held = new ArrayList<>();
        held.add(pool.acquire().block()); // the replacement's reservation now waits on the accounting
        held.add(pool.acquire().block());
        for (int i = 0; i < 3; i++) {
            pool.acquire().subscribe(held::add);
        }

        assertThat(driver.alive).as("pods while the reservation is unanswered: 3 held, 1 reserved").hasSize(3);
        accounting.gate.tryEmitEmpty();

        assertThat(driver.alive).as("pods once it is answered: never more than max").hasSize(4);
        assertThat(held).as("acquisitions served; the fifth waits").hasSize(4);
        assertThat(pool.metrics().pending()).as("waiting").isEqualTo(1);
    }
}
