package dev.hearth.pool.redis;

import dev.hearth.pool.StoreUnavailableException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
        connections = RedisConnections.connect(new RedisConfig(redis.url(), TIMEOUT, "hearth:"));
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

        long outageEnds = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int attempts = 0;
        while (System.nanoTime() < outageEnds) {
            assertUnavailablePromptly("claim", () -> leases.claim("pod-2", "r1", TTL));
            assertUnavailablePromptly("renew", () -> leases.renew(List.of(before), TTL).then());
            assertUnavailablePromptly("update", () -> registry.update(record("rt-1")));
            attempts++;
            Thread.sleep(500);
        }
        redis.start();

        Lease after = awaitClaim("pod-2", Duration.ofSeconds(5));
        assertThat(attempts).as("attempts during the outage").isGreaterThan(5);
        assertThat(after.token()).as("token after Redis lost its data").isGreaterThan(before.token());
        assertThat(leases.renew(List.of(before), TTL).collectList().block())
                .as("a lease Redis forgot is reported lost").containsExactly(before);
        assertThat(registry.reserve(record("rt-1")).block()).as("registry works again").isTrue();
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

    private static Lease awaitClaim(String podId, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                return leases.claim(podId, "r1", TTL).block();
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static RuntimeRecord record(String id) {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        return new RuntimeRecord(id, "img", "v5", RuntimeRecord.READY, "pod-1", "127.0.0.1", 9000, SECRET, 1, "r1",
                now, now);
    }
}
