package dev.hearth.pool.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import dev.hearth.pool.lease.Lease;
import dev.hearth.pool.lease.LeaseStore;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Leases in Redis, shared by every gateway replica. Each operation is one round trip: claim, renew and
 * release are Lua scripts (atomic on the server), current is one {@code HMGET}. Expiry is Redis's own:
 * the lease key carries {@code PEXPIREAT} computed from Redis {@code TIME}, so replicas with skewed clocks
 * agree, and a replica that dies without releasing simply stops renewing. Failures: see
 * {@link RedisFailures}.
 */
public final class RedisLeaseStore implements LeaseStore {

    /** Renewals go in batches of this size: one script per batch keeps Redis responsive between them. */
    static final int RENEW_BATCH = 1_000;

    private static final LuaScript CLAIM = LuaScript.load("lease-claim");
    private static final LuaScript RENEW = LuaScript.load("lease-renew");
    private static final LuaScript RELEASE = LuaScript.load("lease-release");

    private final RedisReactiveCommands<String, String> redis;
    private final RedisKeys keys;
    private final int claimReplays;

    public RedisLeaseStore(RedisConnections connections) {
        this.redis = connections.reactive();
        this.keys = connections.keys();
        this.claimReplays = connections.config().claimReplays();
    }

    /**
     * The claim carries a random nonce, drawn once per claim: a claim that ran once already must find its own
     * lease and win, not report the pod taken. Lettuce re-sends in-flight commands after a reconnect; and a
     * claim whose command timed out has an unknown outcome (Redis may have run it and the reply been late), so
     * it is replayed with the same nonce up to {@link RedisConfig#claimReplays()} times before the store is
     * reported unavailable. Only a timeout is replayed: a command refused while disconnected never ran.
     */
    @Override
    public Mono<Lease> claim(String podId, String holder, Duration ttl) {
        String[] keyArgs = {keys.lease(podId), keys.leaseTokens()};
        String nonce = UUID.randomUUID().toString();
        return Mono.defer(() -> CLAIM.<List<Object>>run(redis, ScriptOutputType.MULTI, keyArgs,
                        holder, millis(ttl), nonce))
                .retryWhen(Retry.max(claimReplays)
                        .filter(RedisFailures::isUnknownOutcome)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .flatMap(reply -> won(podId, holder, reply))
                .onErrorMap(RedisFailures.translate("claim of pod '" + podId + "'"));
    }

    /** Reply {@code {1, token, expiresMs}} when the claim won, {@code {0}} when someone holds the pod. */
    private static Mono<Lease> won(String podId, String holder, List<Object> reply) {
        if (((Long) reply.get(0)) == 0L) {
            return Mono.empty();
        }
        Instant expiresAt = Instant.ofEpochMilli((Long) reply.get(2));
        return Mono.just(new Lease(podId, holder, (Long) reply.get(1), expiresAt));
    }

    @Override
    public Flux<Lease> renew(Collection<Lease> leases, Duration ttl) {
        String ttlMillis = millis(ttl);
        return Flux.defer(() -> Flux.fromIterable(List.copyOf(leases)))
                .buffer(RENEW_BATCH)
                .concatMap(batch -> renewBatch(batch, ttlMillis))
                .onErrorMap(RedisFailures.translate("renewal of " + leases.size() + " leases"));
    }

    /** One script for the batch; it answers the 1-based positions of the leases it could not extend. */
    private Flux<Lease> renewBatch(List<Lease> batch, String ttlMillis) {
        String[] keyArgs = new String[batch.size()];
        String[] args = new String[batch.size() + 1];
        args[0] = ttlMillis;
        for (int i = 0; i < batch.size(); i++) {
            keyArgs[i] = keys.lease(batch.get(i).podId());
            args[i + 1] = Long.toString(batch.get(i).token());
        }
        return RENEW.<List<Long>>run(redis, ScriptOutputType.MULTI, keyArgs, args)
                .flatMapIterable(lost -> lost)
                .map(position -> batch.get(position.intValue() - 1));
    }

    @Override
    public Mono<Void> release(Lease lease) {
        String[] keyArgs = {keys.lease(lease.podId())};
        return Mono.defer(() -> RELEASE.<Long>run(redis, ScriptOutputType.INTEGER, keyArgs,
                        Long.toString(lease.token())))
                .then()
                .onErrorMap(RedisFailures.translate("release of pod '" + lease.podId() + "'"));
    }

    /** One {@code HMGET}: an expired lease key is gone for every reader, so no clock is consulted here. */
    @Override
    public Mono<Lease> current(String podId) {
        return Mono.defer(() -> RedisConnections.handOff(redis.hmget(keys.lease(podId), "holder", "token", "expires")
                        .collectList()))
                .flatMap(fields -> toLease(podId, fields))
                .onErrorMap(RedisFailures.translate("lookup of the lease of pod '" + podId + "'"));
    }

    private static Mono<Lease> toLease(String podId, List<KeyValue<String, String>> fields) {
        List<String> values = new ArrayList<>(3);
        for (KeyValue<String, String> field : fields) {
            if (!field.hasValue()) {
                return Mono.empty();
            }
            values.add(field.getValue());
        }
        Instant expiresAt = Instant.ofEpochMilli(Long.parseLong(values.get(2)));
        return Mono.just(new Lease(podId, values.get(0), Long.parseLong(values.get(1)), expiresAt));
    }

    private static String millis(Duration ttl) {
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("lease ttl must be at least 1 ms, but was " + ttl);
        }
        return Long.toString(ttl.toMillis());
    }
}
