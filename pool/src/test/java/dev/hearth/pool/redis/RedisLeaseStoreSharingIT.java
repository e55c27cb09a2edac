package dev.hearth.pool.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.lease.Lease;
import io.lettuce.core.ScriptOutputType;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** What only a shared Redis can show: several connections (replicas) claiming from one store. */
class RedisLeaseStoreSharingIT {

    private static final Duration TTL = Duration.ofSeconds(30);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final List<RedisConnections> replicas = new ArrayList<>();

    @BeforeEach
    void connectThreeReplicas() {
        redis.flushAll();
        for (int i = 0; i < 3; i++) {
            replicas.add(RedisConnections.connect(RedisConfig.of(redis.url())));
        }
    }

    @AfterEach
    void close() {
        replicas.forEach(RedisConnections::close);
    }

    private RedisLeaseStore store(int replica) {
        return new RedisLeaseStore(replicas.get(replica));
    }

    @Test
    void tokensGrowAcrossReplicas() {
        long previous = 0;
        for (int i = 0; i < 20; i++) {
            Lease lease = store(i % 2).claim("pod-" + i, "r" + (i % 2), TTL).block();
            assertThat(lease.token()).as("token of claim %d", i).isGreaterThan(previous);
            previous = lease.token();
        }
    }

    @Test
    void thousandConcurrentClaimsOverThreeReplicasLeaseEachPodExactlyOnce() {
        List<RedisLeaseStore> stores = List.of(store(0), store(1), store(2));
        List<Lease> won = Flux.range(0, 1_000)
                .parallel(6)
                .runOn(Schedulers.parallel())
                .flatMap(i -> stores.get(i % 3).claim("pod-" + (i % 50), "r" + (i % 3), TTL))
                .sequential()
                .collectList()
                .block(Duration.ofSeconds(30));

        Map<String, Long> winsPerPod = won.stream().collect(Collectors.groupingBy(Lease::podId, Collectors.counting()));
        assertThat(winsPerPod).as("pods leased").hasSize(50);
        assertThat(winsPerPod.values()).as("wins per pod").containsOnly(1L);
        assertThat(won.stream().map(Lease::token).distinct().count()).as("distinct tokens").isEqualTo(50);
        for (Lease lease : won) {
            assertThat(store(0).current(lease.podId()).block()).as("lease seen by another replica").isEqualTo(lease);
        }
    }

    @Test
    void renewOfTwoHundredLeasesIsOneRoundTrip() {
        List<Lease> leases = Flux.range(0, 200)
                .concatMap(i -> store(0).claim("pod-" + i, "r0", Duration.ofSeconds(5)))
                .collectList()
                .block();
        store(0).renew(leases.subList(0, 1), TTL).blockLast(); // caches the script: a first call also EVALs
        long scriptsBefore = redis.calls("evalsha") + redis.calls("eval");

        List<Lease> lost = store(0).renew(leases, TTL).collectList().block();

        assertThat(lost).as("lost").isEmpty();
        assertThat(redis.calls("evalsha") + redis.calls("eval") - scriptsBefore).as("script calls of one renewal")
                .isEqualTo(1);
        Lease renewed = store(1).current("pod-199").block();
        assertThat(renewed.expiresAt()).as("expiry moved by the renewal").isAfter(leases.get(199).expiresAt());
    }

    @Test
    void renewReportsOnlyTheLeasesThatWereLost() {
        Lease kept = store(0).claim("pod-a", "r0", TTL).block();
        Lease released = store(0).claim("pod-b", "r0", TTL).block();
        Lease stolen = store(0).claim("pod-c", "r0", TTL).block();
        store(0).release(released).block();
        store(1).release(stolen).block();
        Lease thief = store(1).claim("pod-c", "r1", TTL).block();

        assertThat(store(0).renew(List.of(kept, released, stolen), TTL).collectList().block())
                .as("lost leases").containsExactly(released, stolen);
        assertThat(store(0).current("pod-c").block()).as("the newer lease is untouched").isEqualTo(thief);
    }

    @Test
    void leaseExpiryIsTheKeysExpiryInRedis() {
        Lease lease = store(0).claim("pod-t", "r0", TTL).block();
        long pexpiretime = Long.parseLong(redis.command("PEXPIRETIME", "hearth:lease:pod-t"));
        assertThat(pexpiretime).as("key expiry (Redis clock)").isEqualTo(lease.expiresAt().toEpochMilli());
        store(0).renew(List.of(lease), TTL.multipliedBy(2)).blockLast();
        long renewed = Long.parseLong(redis.command("PEXPIRETIME", "hearth:lease:pod-t"));
        assertThat(store(1).current("pod-t").block().expiresAt().toEpochMilli())
                .as("renewed expiry as every replica reads it").isEqualTo(renewed);
    }

    @Test
    void tokensKeepGrowingWhenRedisLosesTheCounter() {
        Lease before = store(0).claim("pod-l", "r0", TTL).block();
        redis.command("DEL", "hearth:lease-tokens"); // as after data loss or a failover to a lagging replica
        Lease after = store(1).claim("pod-m", "r1", TTL).block();
        assertThat(after.token()).as("token after the counter was lost").isGreaterThan(before.token());
    }

    @Test
    void claimReplayedAfterAReconnectStillWins() {
        RedisConnections replica = replicas.get(0);
        String[] keys = {replica.keys().lease("pod-r"), replica.keys().leaseTokens()};
        LuaScript claim = LuaScript.load("lease-claim");
        String nonce = UUID.randomUUID().toString();

        List<Object> first = claim.<List<Object>>run(replica.reactive(), ScriptOutputType.MULTI, keys, "r0", "30000",
                nonce).block();
        List<Object> replay = claim.<List<Object>>run(replica.reactive(), ScriptOutputType.MULTI, keys, "r0", "30000",
                nonce).block();
        List<Object> other = claim.<List<Object>>run(replica.reactive(), ScriptOutputType.MULTI, keys, "r1", "30000",
                UUID.randomUUID().toString()).block();

        assertThat(replay).as("replayed claim").isEqualTo(first);
        assertThat(other).as("another claimer").containsExactly(0L);
    }

    @Test
    void scriptsAreReloadedAfterRedisForgetsThem() {
        store(0).claim("pod-s", "r0", TTL).block();
        redis.command("SCRIPT", "FLUSH");
        long evalsBefore = redis.calls("eval");

        assertThat(store(0).claim("pod-s2", "r0", TTL).blockOptional()).as("claim after SCRIPT FLUSH").isPresent();
        assertThat(redis.calls("eval") - evalsBefore).as("EVAL fallbacks").isEqualTo(1);
        store(0).claim("pod-s3", "r0", TTL).block();
        assertThat(redis.calls("eval") - evalsBefore).as("EVAL fallbacks once cached again").isEqualTo(1);
    }
}
