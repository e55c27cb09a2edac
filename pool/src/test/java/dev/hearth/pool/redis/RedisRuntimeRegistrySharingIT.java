package dev.hearth.pool.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.hearth.pool.registry.RuntimeRecord;
import io.lettuce.core.ScriptOutputType;

/** Registry behaviour beyond the contract: the index stays consistent and records cross replicas whole. */
class RedisRuntimeRegistrySharingIT {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456789Z");

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static RedisConnections replicaA;
    private static RedisConnections replicaB;

    @BeforeAll
    static void connect() {
        replicaA = RedisConnections.connect(RedisConfig.of(redis.url()));
        replicaB = RedisConnections.connect(RedisConfig.of(redis.url()));
    }

    @AfterAll
    static void close() {
        replicaA.close();
        replicaB.close();
    }

    @BeforeEach
    void emptyRedis() {
        redis.flushAll();
    }

    private static RuntimeRecord ready(String id, Instant created) {
        return new RuntimeRecord(id, "img", "v5", RuntimeRecord.READY, "pod-" + id, "10.0.0.7", 3000, "s3cret-" + id,
                42, "r1", created, created.plusSeconds(1));
    }

    @Test
    void recordWrittenByOneReplicaReadsWholeOnAnother() {
        RuntimeRecord record = ready("rt-1", T0);
        new RedisRuntimeRegistry(replicaA).reserve(record).block();
        assertThat(new RedisRuntimeRegistry(replicaB).get("rt-1").block()).as("record on replica B")
                .usingRecursiveComparison().isEqualTo(record);
    }

    @Test
    void nullFieldsRoundTripAndUpdateClearsThem() {
        RedisRuntimeRegistry registry = new RedisRuntimeRegistry(replicaA);
        RuntimeRecord sparse = new RuntimeRecord("rt-n", null, "v5", RuntimeRecord.PENDING, "", "", 0, "", 0, "r1",
                T0, null);
        registry.reserve(ready("rt-n", T0)).block();
        registry.update(sparse).block();
        assertThat(registry.get("rt-n").block()).usingRecursiveComparison().isEqualTo(sparse);
    }

    @Test
    void indexFollowsReserveUpdateAndRemove() {
        RedisRuntimeRegistry registry = new RedisRuntimeRegistry(replicaA);
        registry.reserve(ready("rt-a", T0.plusSeconds(2))).block();
        registry.reserve(ready("rt-b", T0.plusSeconds(1))).block();
        registry.reserve(ready("rt-c", T0.plusNanos(1_000))).block();
        registry.update(ready("rt-a", T0)).block();

        assertThat(registry.list().map(RuntimeRecord::runtimeId).collectList().block())
                .as("creation order after update moved rt-a first").containsExactly("rt-a", "rt-c", "rt-b");

        registry.remove("rt-c").block();
        registry.remove("rt-missing").block();
        assertThat(redis.command("ZCARD", "hearth:runtimes")).as("index size").isEqualTo("2");
        assertThat(redis.command("EXISTS", "hearth:runtime:rt-c")).as("hash removed").isEqualTo("0");
    }

    @Test
    void failedReserveLeavesTheFirstRecordAndIndexUntouched() {
        RedisRuntimeRegistry a = new RedisRuntimeRegistry(replicaA);
        RedisRuntimeRegistry b = new RedisRuntimeRegistry(replicaB);
        a.reserve(ready("rt-x", T0)).block();
        assertThat(b.reserve(ready("rt-x", T0.plusSeconds(9))).block()).as("second reservation answers the first record")
                .isNotNull().extracting(RuntimeRecord::created).isEqualTo(T0);
        assertThat(a.list().collectList().block()).as("listed once").hasSize(1);
        assertThat(b.get("rt-x").block().created()).as("first record kept").isEqualTo(T0);
    }

    @Test
    void reservationReplayedAfterAReconnectStillWins() {
        String[] keys = {replicaA.keys().runtime("rt-r"), replicaA.keys().runtimesByCreation()};
        List<String> fields = RuntimeRecordHash.fields(ready("rt-r", T0));
        String[] args = new String[3 + fields.size()];
        args[0] = "rt-r";
        args[1] = RuntimeRecordHash.creationScore(T0);
        args[2] = "nonce-1";
        for (int i = 0; i < fields.size(); i++) {
            args[3 + i] = fields.get(i);
        }
        LuaScript reserve = LuaScript.load("runtime-reserve");

        List<Object> first = reserve.<List<Object>>run(replicaA.reactive(), ScriptOutputType.MULTI, keys, args).block();
        List<Object> replay = reserve.<List<Object>>run(replicaA.reactive(), ScriptOutputType.MULTI, keys, args).block();
        args[2] = "nonce-2";
        List<Object> other = reserve.<List<Object>>run(replicaA.reactive(), ScriptOutputType.MULTI, keys, args).block();

        assertThat(first).as("first reservation: added, nothing existed").isEmpty();
        assertThat(replay).as("the same reservation replayed: still its own").isEmpty();
        assertThat(RuntimeRecordHash.fromFlatReply(other)).as("another reservation gets the existing record")
                .extracting(RuntimeRecord::runtimeId).isEqualTo("rt-r");
    }

    @Test
    void listOfMoreRuntimesThanItsConcurrencySkipsOneRemovedMeanwhile() {
        RedisRuntimeRegistry registry = new RedisRuntimeRegistry(replicaA);
        for (int i = 0; i < 100; i++) {
            registry.reserve(ready("rt-" + i, T0.plusSeconds(i))).block();
        }
        redis.command("DEL", "hearth:runtime:rt-50"); // as if removed between ZRANGE and HGETALL
        assertThat(registry.list().collectList().block()).as("listed").hasSize(99).doesNotContainNull();
    }
}
