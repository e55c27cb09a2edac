package dev.hearth.pool.redis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.hearth.pool.registry.RuntimeRecord;
import dev.hearth.pool.registry.RuntimeRegistry;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The runtime registry in Redis: a hash per runtime and a sorted set of ids by creation time. Every write
 * that must see the current state (reserve, update, remove, touch) is one Lua script, so the hash and the
 * index never disagree for a reader. The hash holds the runtime's secret because any replica must reach
 * the pod; error messages here name runtime ids only, never a record's fields. Failures: see
 * {@link RedisFailures}.
 */
public final class RedisRuntimeRegistry implements RuntimeRegistry {

    /** How many runtimes {@link #list()} reads at once; Lettuce pipelines them on the one connection. */
    private static final int LIST_CONCURRENCY = 64;
    /** Activity is written in batches of this size: one script per batch keeps Redis responsive between them. */
    static final int TOUCH_BATCH = 1_000;

    private static final LuaScript RESERVE = LuaScript.load("runtime-reserve");
    private static final LuaScript UPDATE = LuaScript.load("runtime-update");
    private static final LuaScript REMOVE = LuaScript.load("runtime-remove");
    private static final LuaScript TOUCH = LuaScript.load("runtime-touch");

    private final RedisReactiveCommands<String, String> redis;
    private final RedisKeys keys;
    private final RedisConnections connections;
    private final Flux<Removal> removals;

    public RedisRuntimeRegistry(RedisConnections connections) {
        this.redis = connections.reactive();
        this.keys = connections.keys();
        this.connections = connections;
        // One subscription per registry, shared by whoever listens; opened by the first listener.
        this.removals = Flux.defer(() -> connections.messages(keys.runtimeRemovals()))
                .mapNotNull(RedisRuntimeRegistry::removal)
                .publish()
                .refCount();
    }

    /**
     * Carries a nonce so that a reservation re-sent after a reconnect recognises itself and still wins. The
     * script answers the existing hash in the same round trip, so a conflict costs no second read.
     */
    @Override
    public Mono<RuntimeRecord> reserve(RuntimeRecord record) {
        String nonce = UUID.randomUUID().toString();
        return Mono.defer(() -> RESERVE.<List<Object>>run(redis, ScriptOutputType.MULTI, recordKeys(record),
                        recordArgs(record, nonce)))
                .mapNotNull(RuntimeRecordHash::fromFlatReply)
                .onErrorMap(RedisFailures.translate("reservation of runtime '" + record.runtimeId() + "'"));
    }

    @Override
    public Mono<Boolean> update(RuntimeRecord record) {
        return Mono.defer(() -> UPDATE.<Long>run(redis, ScriptOutputType.INTEGER, recordKeys(record),
                        recordArgs(record, "")))
                .map(written -> written == 1L)
                .onErrorMap(RedisFailures.translate("update of runtime '" + record.runtimeId() + "'"));
    }

    private String[] recordKeys(RuntimeRecord record) {
        return new String[] {keys.runtime(record.runtimeId()), keys.runtimesByCreation()};
    }

    /** ARGV: runtimeId, creation score, nonce, then the record's field/value pairs. */
    private static String[] recordArgs(RuntimeRecord record, String nonce) {
        List<String> args = new ArrayList<>();
        args.add(record.runtimeId());
        args.add(RuntimeRecordHash.creationScore(record.created()));
        args.add(nonce);
        args.addAll(RuntimeRecordHash.fields(record));
        return args.toArray(String[]::new);
    }

    /**
     * PUBLISH on the removals channel. PUBLISH answers how many subscribers received the message; this replica's own
     * subscription counts as one, so "another replica can have heard it" is more receivers than that.
     */
    @Override
    public Mono<Boolean> announceRemoval(RuntimeRecord removed) {
        return Mono.defer(() -> {
                    long own = connections.hears(keys.runtimeRemovals()) ? 1 : 0;
                    return RedisConnections.handOff(redis.publish(keys.runtimeRemovals(),
                                    removed.runtimeId() + "\n" + removed.podId()))
                            .map(receivers -> receivers > own);
                })
                .onErrorMap(RedisFailures.translate("announcing the removal of runtime '" + removed.runtimeId() + "'"));
    }

    @Override
    public Flux<Removal> announcedRemovals() {
        return removals;
    }

    @Override
    public boolean hearsRemovals() {
        return connections.hears(keys.runtimeRemovals());
    }

    private static Removal removal(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? null : new Removal(message.substring(0, newline), message.substring(newline + 1));
    }

    @Override
    public Mono<RuntimeRecord> get(String runtimeId) {
        return Mono.defer(() -> RedisConnections.handOff(redis.hgetall(keys.runtime(runtimeId))
                        .collectMap(kv -> kv.getKey(), kv -> kv.getValue())))
                .mapNotNull(RuntimeRecordHash::fromHash)
                .onErrorMap(RedisFailures.translate("lookup of runtime '" + runtimeId + "'"));
    }

    /**
     * In creation order. Not a snapshot: the index is read first, then each runtime; one removed in between
     * is left out, one added in between may be missing. The index is collected before the lookups start:
     * Lettuce stops reading the socket while a streamed reply has no demand, so lookups issued from inside
     * the ZRANGE stream would wait for replies that are never read.
     */
    @Override
    public Flux<RuntimeRecord> list() {
        return Mono.defer(() -> RedisConnections.handOff(redis.zrange(keys.runtimesByCreation(), 0, -1).collectList()))
                .flatMapIterable(ids -> ids)
                .flatMapSequential(this::get, LIST_CONCURRENCY)
                .onErrorMap(RedisFailures.translate("listing of runtimes"));
    }

    @Override
    public Mono<RuntimeRecord> remove(String runtimeId) {
        String[] keyArgs = {keys.runtime(runtimeId), keys.runtimesByCreation()};
        return Mono.defer(() -> REMOVE.<List<Object>>run(redis, ScriptOutputType.MULTI, keyArgs, runtimeId))
                .mapNotNull(RuntimeRecordHash::fromFlatReply)
                .onErrorMap(RedisFailures.translate("removal of runtime '" + runtimeId + "'"));
    }

    /** One script per {@link #TOUCH_BATCH} runtimes. */
    @Override
    public Mono<Void> touch(Map<String, Instant> activity) {
        return Flux.defer(() -> Flux.fromIterable(List.copyOf(activity.entrySet())))
                .buffer(TOUCH_BATCH)
                .concatMap(this::touchBatch)
                .then()
                .onErrorMap(RedisFailures.translate("recording activity of " + activity.size() + " runtimes"));
    }

    private Mono<Long> touchBatch(List<Map.Entry<String, Instant>> batch) {
        String[] keyArgs = batch.stream().map(entry -> keys.runtime(entry.getKey())).toArray(String[]::new);
        String[] args = batch.stream().map(entry -> RuntimeRecordHash.instant(entry.getValue())).toArray(String[]::new);
        return TOUCH.run(redis, ScriptOutputType.INTEGER, keyArgs, args);
    }
}
