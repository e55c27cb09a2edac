package dev.hearth.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.hearth.pool.PoolObserver.Acquisition;
import dev.hearth.pool.PoolObserver.PodStart;
import dev.hearth.pool.PoolObserver.Reap;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** What an {@link ImagePool} reports to its {@link PoolObserver}: every acquisition ends exactly once. */
class ImagePoolEventsTest {

    private final FakePodDriver driver = new FakePodDriver();
    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final Recorder events = new Recorder();

    @AfterEach
    void disposeTime() {
        time.dispose();
    }

    private ImagePool pool(int size, int max, int maxPending) {
        ImagePool pool = new ImagePool(new PoolConfig("img", size, max, maxPending, Duration.ofSeconds(5), "exec",
                "sh", Duration.ofSeconds(5)), driver, events, time);
        pool.start();
        return pool;
    }

    @Test
    void warmAcquisitionAndPodStartsAreReported() {
        ImagePool pool = pool(2, 10, 10);
        PooledPod claim = pool.acquire().block();

        assertThat(events.acquisitions).as("acquisitions").containsExactly(Acquisition.WARM);
        assertThat(events.starts).as("two warm pods and the replacement started")
                .containsExactly(PodStart.READY, PodStart.READY, PodStart.READY);
        assertThat(events.nanos).as("durations are never negative").allMatch(nanos -> nanos >= 0);
        claim.release();
        assertThat(events.acquisitions).as("a release is not an acquisition").hasSize(1);
    }

    @Test
    void waitingAcquisitionsReportCreatedTimeoutExhaustedAndCancelled() {
        ImagePool pool = pool(1, 1, 2);
        PooledPod only = pool.acquire().block();
        StepVerifier.create(pool.acquire())
                .then(() -> time.advanceTimeBy(Duration.ofSeconds(5)))
                .expectError(AcquireTimeoutException.class)
                .verify(Duration.ofSeconds(2));
        Disposable cancelled = pool.acquire().subscribe(pod -> { }, error -> { });
        pool.acquire().subscribe(PooledPod::invalidate, error -> { });
        StepVerifier.create(pool.acquire()).expectError(PoolExhaustedException.class).verify(Duration.ofSeconds(2));
        cancelled.dispose();
        only.invalidate();

        assertThat(events.acquisitions).as("outcomes in order").containsExactly(Acquisition.WARM,
                Acquisition.TIMEOUT, Acquisition.EXHAUSTED, Acquisition.CANCELLED, Acquisition.CREATED);
    }

    @Test
    void failedCreationsAndDeadWarmPodsAreReported() {
        driver.failNext = 1;
        ImagePool pool = pool(1, 4, 4);
        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(events.starts).as("failed, then retried").containsExactly(PodStart.FAILED, PodStart.READY);

        String warm = driver.alive.iterator().next();
        driver.kill(warm);
        assertThat(events.reaps).as("dead warm pod reaped").containsExactly(Reap.ENDED);
    }

    @Test
    void refusedAcquisitionsAreReportedAndEndTheirSubscriber() {
        ImagePool pool = pool(1, 1, 0);
        PooledPod only = pool.acquire().block();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        pool.acquire().subscribe(pod -> { }, errors::add);
        pool.close();
        pool.acquire().subscribe(pod -> { }, errors::add);
        only.invalidate();

        assertThat(events.acquisitions).as("warm, then refused: queue full, then closed")
                .containsExactly(Acquisition.WARM, Acquisition.EXHAUSTED, Acquisition.FAILED);
        assertThat(errors).as("each refused subscriber got its error")
                .hasExactlyElementsOfTypes(PoolExhaustedException.class, IllegalStateException.class);
    }

    @Test
    void cancelledCreationsAreReportedAsFailedOnce() {
        PoolEvents poolEvents = new PoolEvents(events, "img");
        Pod pod = new Pod("pod-1", "img", "127.0.0.1", 1, "secret", java.time.Instant.now());
        poolEvents.podStart(Mono.never())
                .timeout(Duration.ofSeconds(5), time)
                .subscribe(created -> { }, error -> { });
        time.advanceTimeBy(Duration.ofSeconds(5));
        poolEvents.podStart(Mono.just(pod)).flux().take(1).blockLast();

        assertThat(events.starts).as("the creation its caller gave up on, then a ready one counted once")
                .containsExactly(PodStart.FAILED, PodStart.READY);
    }

    private static final class Recorder implements PoolObserver {
        final List<Acquisition> acquisitions = new CopyOnWriteArrayList<>();
        final List<PodStart> starts = new CopyOnWriteArrayList<>();
        final List<Reap> reaps = new CopyOnWriteArrayList<>();
        final List<Long> nanos = new CopyOnWriteArrayList<>();

        @Override
        public void acquired(String image, Acquisition outcome, long nanos) {
            acquisitions.add(outcome);
            this.nanos.add(nanos);
        }

        @Override
        public void podStarted(String image, PodStart outcome, long nanos) {
            starts.add(outcome);
            this.nanos.add(nanos);
        }

        @Override
        public void podsReaped(Reap reason, int count) {
            for (int i = 0; i < count; i++) {
                reaps.add(reason);
            }
        }
    }
}
