package dev.hearth.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.RepeatedTest;

import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Many threads acquiring, cancelling, releasing, invalidating and abandoning at once, against a driver that
 * creates synchronously, asynchronously or fails, at random. Asserts {@link ImagePool}'s invariants: never more
 * than {@code max} pods alive or being created; no pod held by two holders at once, and none handed out after it
 * was destroyed; every acquisition ends; no waiter left waiting while a pod is warm; nothing left after close.
 */
class ImagePoolStressTest {

    private static final int THREADS = 8;
    private static final int OPERATIONS = 400;
    private static final PoolConfig CONFIG = new PoolConfig("img", 3, 8, 16, Duration.ofMillis(200), "exec", "sh",
            Duration.ofSeconds(5));

    @RepeatedTest(3)
    void invariantsHoldUnderConcurrentAcquireCancelReturnAndDestroy() throws Exception {
        StressDriver driver = new StressDriver();
        ImagePool pool = new ImagePool(CONFIG, driver, PoolObserver.NONE, Schedulers.parallel());
        pool.start();
        Set<String> held = ConcurrentHashMap.newKeySet();
        List<String> violations = new CopyOnWriteArrayList<>();
        AtomicInteger ended = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(THREADS);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        for (int t = 0; t < THREADS; t++) {
            threads.submit(() -> {
                try {
                    for (int i = 0; i < OPERATIONS; i++) {
                        acquireOnce(pool, driver, held, violations);
                        ended.incrementAndGet();
                    }
                } catch (Throwable e) {
                    violations.add("thread failed: " + e);
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(2, TimeUnit.MINUTES)).as("every thread finished").isTrue();
        threads.shutdown();

        await("the pool settles: no waiter, and nothing held")
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(pool.metrics()).as("metrics, with violations " + violations)
                        .matches(metrics -> metrics.pending() == 0 && metrics.claimed() == 0));
        assertThat(violations).as("invariant violations").isEmpty();
        assertThat(ended).as("every acquisition ended").hasValue(THREADS * OPERATIONS);
        assertThat(driver.mostAtOnce.get()).as("pods alive or being created at once").isLessThanOrEqualTo(CONFIG.max());
        await("the pool settles at size: surplus warm pods destroyed, missing ones created")
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(pool.metrics()).as("metrics")
                        .matches(metrics -> metrics.warm() == CONFIG.size() && metrics.creating() == 0));

        pool.close();
        driver.abandoned.forEach(driver::destroy);
        await("nothing alive after close, creations in flight included").atMost(Duration.ofSeconds(10))
                .until(() -> driver.outstanding.get() == 0);
        assertThat(driver.deletedTwice).as("pods deleted twice").isEmpty();
    }

    /** One acquisition with a random fate: cancelled at once or soon, or served and then ended one of three ways. */
    private static void acquireOnce(ImagePool pool, StressDriver driver, Set<String> held, List<String> violations) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int fate = random.nextInt(10);
        if (fate < 2) {
            // Whatever arrives is ended, even after the cancel: a pod handed over as the cancel happens is the
            // subscriber's (or comes back to the pool, if the cancel won), never lost.
            BaseSubscriber<PooledPod> subscriber = new BaseSubscriber<>() {
                @Override
                protected void hookOnNext(PooledPod pod) {
                    end(pod, driver, held, violations);
                }

                @Override
                protected void hookOnError(Throwable error) {
                }
            };
            pool.acquire().subscribe(subscriber);
            if (fate == 1) {
                Thread.onSpinWait();
            }
            subscriber.dispose();
            return;
        }
        PooledPod pod;
        try {
            pod = pool.acquire().block(Duration.ofSeconds(5));
        } catch (RuntimeException refused) {
            if (!(refused instanceof AcquireTimeoutException || refused instanceof PoolExhaustedException)) {
                violations.add("unexpected acquisition error: " + refused);
            }
            return;
        }
        if (!held.add(pod.pod().id())) {
            violations.add("pod handed to two holders at once: " + pod.pod().id());
        }
        if (driver.deleted.contains(pod.pod().id())) {
            violations.add("pod handed out after it was destroyed: " + pod.pod().id());
        }
        end(pod, driver, held, violations);
    }

    /** Ends a pod the test got, the way a runtime would. A pod delivered to a cancelled subscriber also lands here. */
    private static void end(PooledPod pod, StressDriver driver, Set<String> held, List<String> violations) {
        held.remove(pod.pod().id());
        int how = ThreadLocalRandom.current().nextInt(20);
        if (how < 6) {
            pod.release();
        } else if (how < 19) {
            pod.invalidate();
        } else {
            driver.abandon(pod.pod().id());
            pod.abandon();
        }
    }

    /** Creates at once, after a short delay on another thread, or fails; deletes at once. Counts what is alive. */
    private static final class StressDriver implements PodDriver {
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final AtomicInteger ids = new AtomicInteger();
        final Set<String> alive = ConcurrentHashMap.newKeySet();
        final Set<String> deleted = ConcurrentHashMap.newKeySet();
        final Set<String> deletedTwice = ConcurrentHashMap.newKeySet();
        final Set<String> abandoned = ConcurrentHashMap.newKeySet();
        private final Sinks.Many<String> terminations = Sinks.many().multicast().directBestEffort();

        @Override
        public Mono<Pod> create(PoolConfig pool) {
            return Mono.defer(() -> {
                mostAtOnce.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
                int kind = ThreadLocalRandom.current().nextInt(40);
                if (kind == 0) {
                    outstanding.decrementAndGet();
                    return Mono.error(new IllegalStateException("injected creation failure"));
                }
                Mono<Pod> pod = Mono.fromCallable(this::newPod);
                return kind < 20 ? pod : pod.delaySubscription(Duration.ofMillis(ThreadLocalRandom.current()
                        .nextInt(3)), Schedulers.parallel());
            });
        }

        private Pod newPod() {
            String id = "pod-" + ids.incrementAndGet();
            alive.add(id);
            return new Pod(id, "img", "127.0.0.1", 1, "secret", Instant.now());
        }

        @Override
        public Mono<Void> delete(String podId) {
            return Mono.fromRunnable(() -> destroy(podId));
        }

        void destroy(String podId) {
            if (!deleted.add(podId)) {
                deletedTwice.add(podId);
            } else if (alive.remove(podId) && !abandoned.contains(podId)) {
                outstanding.decrementAndGet();
            }
        }

        /** The pod leaves the pool's hands (another holder's now): it no longer counts toward the pool's max. */
        void abandon(String podId) {
            abandoned.add(podId);
            outstanding.decrementAndGet();
        }

        @Override
        public Flux<String> terminations() {
            return terminations.asFlux();
        }

        @Override
        public void close() {
        }
    }
}
