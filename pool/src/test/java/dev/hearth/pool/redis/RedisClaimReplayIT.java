package dev.hearth.pool.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.lease.Lease;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The two ways a healthy Redis used to look down: a claim whose reply came late (its outcome unknown) reported
 * unavailable instead of replayed, and a reply's continuation holding Lettuce's I/O thread so that other commands
 * timed out. Both against a real redis-server.
 */
class RedisClaimReplayIT {

    private static final Duration TIMEOUT = Duration.ofMillis(400);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static RedisConnections connections;
    private static RedisLeaseStore leases;

    @BeforeAll
    static void connect() {
        connections = RedisConnections.connect(new RedisConfig(redis.url(), TIMEOUT, "hearth:", 3));
        leases = new RedisLeaseStore(connections);
    }

    @AfterAll
    static void close() {
        connections.close();
    }

    @Test
    void aClaimWhoseReplyIsLateIsReplayedWithItsNonceAndWinsOnce() throws Exception {
        redis.pause();
        CompletableFuture<Lease> claim = leases.claim("pod-late", "r1", Duration.ofSeconds(30)).toFuture();
        try {
            // The subject is a reply later than the command timeout: Redis stays frozen across one timeout.
            Thread.sleep(TIMEOUT.toMillis() + 200);
        } finally {
            redis.resume();
        }
        Lease lease = claim.get();
        assertThat(lease).as("the claim wins: its first attempt ran after all, and the replay recognised it").isNotNull();
        assertThat(leases.current("pod-late").block().token()).as("one lease, the one answered").isEqualTo(lease.token());
        assertThat(leases.claim("pod-late", "r2", Duration.ofSeconds(30)).blockOptional())
                .as("nobody else can claim the pod").isEmpty();
    }

    @Test
    void aReplysContinuationThatBlocksDoesNotTimeOutOtherCommands() {
        Mono<Lease> blockingContinuation = leases.claim("pod-slow", "r1", Duration.ofSeconds(30))
                .doOnNext(lease -> {
                    try {
                        // The subject is a continuation that holds its thread for longer than the command timeout.
                        Thread.sleep(TIMEOUT.toMillis() * 3);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        CompletableFuture<Lease> slow = blockingContinuation.toFuture();
        for (int i = 0; i < 5; i++) {
            // Lookups are never replayed: a timeout would surface as StoreUnavailableException here. Their replies may
            // wait for a free thread to be delivered on, but the commands complete in time.
            String podId = "pod-other-" + i;
            assertThat(leases.current(podId).subscribeOn(Schedulers.boundedElastic()).blockOptional(Duration.ofSeconds(10)))
                    .as("lookup %d while another reply's continuation blocks", i).isEmpty();
        }
        assertThat(slow.join()).isNotNull();
    }
}
