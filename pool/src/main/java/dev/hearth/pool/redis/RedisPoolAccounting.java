package dev.hearth.pool.redis;

import java.time.Duration;

import dev.hearth.pool.accounting.PoolAccounting;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import reactor.core.publisher.Mono;

/**
 * Global pool accounting in Redis: per image, a hash of warm pods and one of creations under way, each
 * by replica; a replica counts only while its liveness key lives ({@link #heartbeat()} renews it). The
 * reservation is one Lua script, so two replicas can never both fill the same gap.
 *
 * <p>Failure policy: when Redis is unreachable, reservations fail ({@code StoreUnavailableException}) and
 * the pool creates no warm pods until it answers again; count updates are best effort, and the counts of
 * a replica heal at its next restart (a new replica id starts from zero).
 */
public final class RedisPoolAccounting implements PoolAccounting {

    private static final LuaScript RESERVE = LuaScript.load("pool-reserve");
    private static final LuaScript WARM_SUM = LuaScript.load("pool-warm-sum");

    private final RedisReactiveCommands<String, String> redis;
    private final RedisKeys keys;
    private final String replicaId;
    private final Duration liveness;

    /**
     * @param liveness how long this replica counts after its last heartbeat; beat at least every third of it
     */
    public RedisPoolAccounting(RedisConnections connections, String replicaId, Duration liveness) {
        this.redis = connections.reactive();
        this.keys = connections.keys();
        this.replicaId = replicaId;
        this.liveness = liveness;
    }

    @Override
    public Mono<Integer> reserveWarm(String image, int size, int wanted) {
        return RESERVE.<Long>run(redis, ScriptOutputType.INTEGER,
                        new String[] {keys.warmPods(image), keys.creatingPods(image)},
                        replicaId, Integer.toString(size), Integer.toString(wanted), keys.replicaPrefix())
                .map(Long::intValue)
                .onErrorMap(RedisFailures.translate("reservation of warm pods of " + image));
    }

    @Override
    public Mono<Void> creationEnded(String image, boolean warm) {
        Mono<Long> creating = redis.hincrby(keys.creatingPods(image), replicaId, -1);
        Mono<Long> added = warm ? redis.hincrby(keys.warmPods(image), replicaId, 1) : Mono.empty();
        return creating.then(added).then().onErrorMap(RedisFailures.translate("pool accounting of " + image));
    }

    @Override
    public Mono<Void> warmAdded(String image) {
        return redis.hincrby(keys.warmPods(image), replicaId, 1).then()
                .onErrorMap(RedisFailures.translate("pool accounting of " + image));
    }

    @Override
    public Mono<Void> warmGone(String image) {
        return redis.hincrby(keys.warmPods(image), replicaId, -1).then()
                .onErrorMap(RedisFailures.translate("pool accounting of " + image));
    }

    @Override
    public Mono<Integer> globalWarm(String image) {
        return WARM_SUM.<Long>run(redis, ScriptOutputType.INTEGER, new String[] {keys.warmPods(image)},
                        keys.replicaPrefix())
                .map(Long::intValue)
                .onErrorMap(RedisFailures.translate("pool accounting of " + image));
    }

    @Override
    public Mono<Void> report(String image, int warm) {
        return redis.hset(keys.warmPods(image), replicaId, Integer.toString(warm)).then()
                .onErrorMap(RedisFailures.translate("pool accounting of " + image));
    }

    @Override
    public Mono<Void> heartbeat() {
        return redis.set(keys.replicaPrefix() + replicaId, "1", SetArgs.Builder.px(liveness.toMillis())).then()
                .onErrorMap(RedisFailures.translate("heartbeat of replica " + replicaId));
    }
}
