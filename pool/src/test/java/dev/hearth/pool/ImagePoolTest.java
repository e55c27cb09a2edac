package dev.hearth.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
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
        ImagePool pool = new ImagePool(new PoolConfig("img", size, max, maxPending, Duration.ofSeconds(5), "exec",
                "sh", Duration.ofSeconds(5)), driver, PoolObserver.NONE, time);
        pool.start();
        return pool;
    }

    @Test
    void startFillsThePoolToSize() {
        ImagePool pool = pool(3, 10, 10);
        assertThat(pool.metrics().warm()).as("warm pods after start").isEqualTo(3);
        assertThat(driver.alive).as("pods alive").hasSize(3);
    }

    @Test
    void acquisitionReplenishesAtOnceWithoutATimer() {
        ImagePool pool = pool(2, 10, 10);
        PooledPod acquired = pool.acquire().block();
        assertThat(acquired).isNotNull();
        PoolMetrics metrics = pool.metrics();
        assertThat(metrics.claimed()).as("handed out").isEqualTo(1);
        assertThat(metrics.warm()).as("warm again right after the acquisition").isEqualTo(2);
    }

    @Test
    void invalidateDestroysThePodAndItIsNeverHandedOutAgain() {
        ImagePool pool = pool(1, 10, 10);
        PooledPod first = pool.acquire().block();
        first.invalidate();
        first.invalidate();
        first.release();
        assertThat(driver.deleted).as("deleted once, whatever ends it after the first end").containsExactly(first.pod().id());
        PooledPod second = pool.acquire().block();
        assertThat(second.pod().id()).as("next acquisition gets another pod").isNotEqualTo(first.pod().id());
        assertThat(pool.metrics().claimed()).isEqualTo(1);
    }

    @Test
    void releaseGivesAnUntouchedPodBackWarmFirstInLine() {
        ImagePool pool = pool(2, 2, 10);
        PooledPod first = pool.acquire().block();
        first.release();
        assertThat(pool.metrics().warm()).as("warm pods: the released one is back, no new one was needed").isEqualTo(2);
        assertThat(driver.deleted).as("nothing destroyed").isEmpty();
        assertThat(pool.acquire().block().pod().id()).as("handed out again first").isEqualTo(first.pod().id());
    }

    @Test
    void warmPodsBeyondSizeAreDestroyedOnceNobodyWaits() {
        ImagePool pool = pool(1, 3, 10);
        PooledPod first = pool.acquire().block();
        PooledPod second = pool.acquire().block();
        first.release();
        second.release();
        assertThat(pool.metrics().warm()).as("warm pods: back to size").isEqualTo(1);
        assertThat(driver.alive).as("pods alive: the warm one").hasSize(1);
        assertThat(driver.deleted).as("surplus destroyed").hasSize(2);
    }

    @Test
    void abandonLetsGoWithoutDestroying() {
        ImagePool pool = pool(1, 3, 10);
        PooledPod pod = pool.acquire().block();
        pod.abandon();
        pod.invalidate();
        assertThat(driver.deleted).as("an abandoned pod is someone else's to destroy").isEmpty();
        assertThat(pool.metrics().claimed()).as("no longer counted as handed out").isZero();
    }

    @Test
    void sizeZeroCreatesAPodPerAcquisition() {
        ImagePool pool = pool(0, 5, 10);
        assertThat(pool.metrics().warm()).as("no warm pods at size 0").isZero();
        PooledPod pod = pool.acquire().block();
        assertThat(pod).isNotNull();
        assertThat(pool.metrics().warm()).as("still no warm pods").isZero();
        pod.invalidate();
        assertThat(driver.alive).as("on-demand pod destroyed with its runtime").isEmpty();
    }

    @Test
    void neverHoldsMoreThanMaxPods() {
        ImagePool pool = pool(1, 3, 10);
        List<PooledPod> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(pool.acquire().block());
        }
        PoolMetrics metrics = pool.metrics();
        assertThat(metrics.claimed() + metrics.warm() + metrics.creating()).as("pods held").isLessThanOrEqualTo(3);
        assertThat(driver.alive).as("alive pods").hasSizeLessThanOrEqualTo(3);
        held.forEach(PooledPod::invalidate);
    }

    @Test
    void acquireTimesOutWhenNoPodBecomesAvailable() {
        ImagePool pool = pool(1, 1, 10);
        PooledPod only = pool.acquire().block();
        StepVerifier.create(pool.acquire())
                .then(() -> time.advanceTimeBy(Duration.ofSeconds(5)))
                .expectError(AcquireTimeoutException.class)
                .verify(Duration.ofSeconds(2));
        assertThat(pool.metrics().pending()).as("timed-out waiter left the queue").isZero();
        only.invalidate();
    }

    @Test
    void acquireFailsFastWhenThePendingQueueIsFull() {
        ImagePool pool = pool(1, 1, 2);
        PooledPod only = pool.acquire().block();
        Disposable w1 = pool.acquire().subscribe(pod -> { }, error -> { });
        Disposable w2 = pool.acquire().subscribe(pod -> { }, error -> { });
        StepVerifier.create(pool.acquire()).expectError(PoolExhaustedException.class).verify(Duration.ofSeconds(2));
        assertThat(pool.metrics().pending()).as("pending bound holds").isEqualTo(2);
        w1.dispose();
        w2.dispose();
        assertThat(pool.metrics().pending()).as("cancelled waiters leave the queue").isZero();
        only.invalidate();
    }

    @Test
    void aWaiterGetsThePodThatIsCreatedWhenAnotherIsDestroyed() {
        ImagePool pool = pool(1, 1, 2);
        PooledPod only = pool.acquire().block();
        List<PooledPod> got = new ArrayList<>();
        pool.acquire().subscribe(got::add);
        assertThat(got).as("no pod yet").isEmpty();
        only.invalidate();
        assertThat(got).as("waiter served once the destruction freed room").hasSize(1);
        assertThat(got.get(0).pod().id()).isNotEqualTo(only.pod().id());
    }

    @Test
    void deadWarmPodIsReplaced() {
        ImagePool pool = pool(2, 10, 10);
        String victim = driver.alive.iterator().next();
        driver.kill(victim);
        assertThat(pool.metrics().warm()).as("warm count restored").isEqualTo(2);
        assertThat(driver.alive).as("victim gone, replacement alive").doesNotContain(victim).hasSize(2);
    }

    @Test
    void creationFailuresAreRetriedWithBackoff() {
        driver.failNext = 2;
        ImagePool pool = pool(1, 10, 10);
        assertThat(pool.metrics().warm()).as("first attempt failed").isZero();
        time.advanceTimeBy(Duration.ofMillis(100));
        assertThat(pool.metrics().warm()).as("second attempt failed").isZero();
        time.advanceTimeBy(Duration.ofMillis(200));
        assertThat(pool.metrics().warm()).as("third attempt succeeded").isEqualTo(1);
    }

    @Test
    void closeDestroysWarmPodsAndFailsWaiters() {
        ImagePool pool = pool(2, 2, 5);
        PooledPod a = pool.acquire().block();
        PooledPod b = pool.acquire().block();
        List<Throwable> errors = new ArrayList<>();
        pool.acquire().subscribe(pod -> { }, errors::add);
        pool.close();
        assertThat(errors).as("waiter failed on close").hasSize(1);
        a.release();
        b.invalidate();
        assertThat(driver.alive).as("nothing alive after close, whether released or invalidated").isEmpty();
    }

    @Test
    void aCreationFinishingAfterCloseIsDestroyed() {
        Sinks.One<Pod> late = Sinks.one();
        driver.pending = late.asMono();
        ImagePool pool = pool(1, 1, 5);
        pool.close();
        late.tryEmitValue(new Pod("late", "img", "127.0.0.1", 1, "s", java.time.Instant.now()));
        assertThat(driver.deleted).as("the pod made after close").containsExactly("late");
    }

    @Test
    void aSubscriberThatReentersThePoolFromItsCallbackNeitherDeadlocksNorRecurses() {
        ImagePool pool = pool(1, 1, 5);
        List<String> seen = new ArrayList<>();
        pool.acquire().subscribe(first -> {
            seen.add(first.pod().id());
            pool.acquire().subscribe(second -> seen.add(second.pod().id()));
            first.invalidate();
        });
        assertThat(seen).as("the second acquisition, made and served inside the first's callback").hasSize(2)
                .doesNotHaveDuplicates();
        assertThat(pool.metrics().claimed()).isEqualTo(1);
    }
}
