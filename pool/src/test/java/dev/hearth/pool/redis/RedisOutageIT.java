package dev.hearth.pool.redis;

import dev.hearth.pool.StoreUnavailableException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.registry.RuntimeRecord;
import reactor.core.publisher.Mono;

/**
 * Redis going away and coming back, with one client for the whole class: operations fail within the command
 * timeout with {@link StoreUnavailableException}, and work again after the restart without a new client.
 */
class RedisOutageIT {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    /**
     * Room for scheduling on top of the command timeout: Lettuce's timeout wheel ticks coarsely and a shared
     * 2-core CI machine under load adds hundreds of milliseconds; a hang would still take the full 10 s.
     */
    private static final Duration SLACK = Duration.ofMillis(1_500);
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final String SECRET = "do-not-print-me";

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static RedisConnections connections;
    private static RedisLeaseStore leases;
    private static RedisRuntimeRegistry registry;

    @BeforeAll
    static void connect() {
        // No replays: a claim timing out here is reported at once (RedisClaimReplayIT covers replays).
        connections = RedisConnections.connect(new RedisConfig(redis.url(), TIMEOUT, "hearth:", 0));
        leases = new RedisLeaseStore(connections);
        registry = new RedisRuntimeRegistry(connections);
    }

    @AfterAll
    static void close() {
        connections.close();
    }

    @Test
    void failsPromptlyWhileRedisIsDownForTenSecondsAndResumesAfterwards() throws Exception {
        Lease before = leases.claim("pod-1", "r1", TTL).block();
        redis.stop();

        AtomicInteger attempts = new AtomicInteger();
        // The outage lasts 10 s; every half second, each operation must fail fast and clearly.
        await("operations fail promptly through a 10 s outage")
                .during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    assertUnavailablePromptly("claim", () -> leases.claim("pod-2", "r1", TTL));
                    assertUnavailablePromptly("renew", () -> leases.renew(List.of(before), TTL).then());
                    assertUnavailablePromptly("update", () -> registry.update(record("rt-1")));
                    attempts.incrementAndGet();
                });
        redis.start();

        Lease after = await("a claim succeeds once Redis is back").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100)).ignoreException(StoreUnavailableException.class)
                .until(() -> leases.claim("pod-2", "r1", TTL).block(), lease -> lease != null);
        assertThat(attempts.get()).as("attempts during the outage").isGreaterThan(5);
        assertThat(after.token()).as("token after Redis lost its data").isGreaterThan(before.token());
        assertThat(leases.renew(List.of(before), TTL).collectList().block())
                .as("a lease Redis forgot is reported lost").containsExactly(before);
        assertThat(registry.reserve(record("rt-1")).blockOptional()).as("registry works again: reserved").isEmpty();
    }

    @Test
    void hungRedisTimesOutWithinTheCommandTimeout() {
        redis.pause();
        try {
            assertUnavailablePromptly("claim", () -> leases.claim("pod-h", "r1", TTL));
            assertUnavailablePromptly("get", () -> registry.get("rt-h"));
        } finally {
            redis.resume();
        }
        assertThat(leases.claim("pod-h", "r1", TTL).blockOptional()).as("claim once Redis answers").isPresent();
    }

    private static void assertUnavailablePromptly(String operation, Supplier<Mono<?>> call) {
        long start = System.nanoTime();
        Throwable error = catchThrowable(() -> call.get().block(Duration.ofSeconds(10)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(error).as(operation + " while Redis is unreachable").isInstanceOf(StoreUnavailableException.class);
        assertThat(error.getMessage()).as(operation + " message").doesNotContain(SECRET);
        assertThat(took).as(operation + " duration").isLessThan(TIMEOUT.plus(SLACK));
    }

    private static RuntimeRecord record(String id) {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        return new RuntimeRecord(id, "img", "v5", RuntimeRecord.READY, "pod-1", "127.0.0.1", 9000, SECRET, 1, "r1",
                now, now);
    }
}
