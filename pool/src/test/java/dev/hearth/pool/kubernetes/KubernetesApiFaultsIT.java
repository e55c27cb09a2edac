package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.Pod;
import dev.hearth.pool.PoolConfig;
import dev.hearth.pool.kubernetes.harness.KubernetesHarness;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The driver against an API server that fails a share of calls with 500/429. */
class KubernetesApiFaultsIT {

    @RegisterExtension
    static final KubernetesHarness harness = KubernetesHarness.builder().build();

    @AfterEach
    void heal() {
        harness.faults().apiFailureRate(0);
    }

    @Test
    void createsPodsWhileThirtyPercentOfCallsFail() {
        try (TestDrivers.Replica replica = TestDrivers.replica(harness)) {
            KubernetesPodDriver driver = replica.driver();
            harness.faults().apiFailureRate(0.3);
            int injectedBefore = harness.faults().injectedFailures();

            List<Pod> pods = Flux.range(0, 6)
                    .flatMap(i -> driver.create(TestDrivers.pool("python:3.12-slim", 6)), 3)
                    .collectList()
                    .block(Duration.ofSeconds(40));

            assertThat(pods).as("pods created despite failures").hasSize(6);
            assertThat(harness.faults().injectedFailures() - injectedBefore).as("failures injected").isPositive();
            assertThat(driver.degraded("python:3.12-slim")).as("degraded").isFalse();
            Mono.when(pods.stream().map(pod -> driver.delete(pod.id())).toList()).block(Duration.ofSeconds(20));
        }
    }

    @Test
    void breakerOpensWhenEveryCallFailsAndClosesAfterHealing() {
        PoolConfig pool = TestDrivers.pool("node:22", 1);
        try (TestDrivers.Replica replica = TestDrivers.replica(harness)) {
            KubernetesPodDriver driver = replica.driver();
            harness.faults().apiFailureRate(1.0);

            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> driver.create(pool).block(Duration.ofSeconds(20)))
                        .as("creation " + i + " with the API down").isNotInstanceOf(CallNotPermittedException.class);
            }
            assertThat(driver.degraded(pool.image())).as("degraded with the breaker open").isTrue();
            long start = System.nanoTime();
            assertThatThrownBy(() -> driver.create(pool).block(Duration.ofSeconds(5)))
                    .as("creation with the breaker open").isInstanceOf(CallNotPermittedException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("fail-fast time").isLessThan(Duration.ofMillis(500));
            assertThat(driver.degraded("other:image")).as("another pool's breaker").isFalse();

            harness.faults().apiFailureRate(0);
            // A creation refused by the still-open breaker, or failing, counts as not yet: the next poll tries again.
            await("breaker half-open").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(
                    () -> driver.create(pool).onErrorResume(CallNotPermittedException.class, e -> Mono.empty())
                            .blockOptional(Duration.ofSeconds(20)).isPresent());

            assertThat(driver.degraded(pool.image())).as("degraded after healing").isFalse();
        }
    }
}
