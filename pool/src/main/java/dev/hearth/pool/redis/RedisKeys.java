package dev.hearth.pool.redis;

/**
 * The key layout, in one place. With the default prefix {@code hearth:}:
 * <pre>
 * hearth:lease:&lt;podId&gt;     hash {holder, token, expires, nonce}, PEXPIREAT = expires (ms, Redis clock)
 * hearth:lease-tokens       counter; a claim's token is max(INCR, Redis clock in µs), so tokens only grow
 * hearth:runtime:&lt;id&gt;      hash of every {@code RuntimeRecord} field (secret included), plus _reservation
 * hearth:runtimes           sorted set of runtime ids scored by created time (µs) for list()
 * hearth:runtime-removals   pub/sub channel: "&lt;runtimeId&gt;\n&lt;podId&gt;" of a runtime removed by a replica not holding it
 * </pre>
 * Scripts touch several of these keys at once, so on Redis Cluster the prefix must carry a hash tag.
 */
public record RedisKeys(String prefix) {

    public String lease(String podId) {
        return prefix + "lease:" + podId;
    }

    public String leaseTokens() {
        return prefix + "lease-tokens";
    }

    public String runtime(String runtimeId) {
        return prefix + "runtime:" + runtimeId;
    }

    /** Hash replica id → warm pods of the image that replica holds. */
    public String warmPods(String image) {
        return prefix + "pool:" + image + ":warm";
    }

    /** Hash replica id → warm-pod creations of the image under way on that replica. */
    public String creatingPods(String image) {
        return prefix + "pool:" + image + ":creating";
    }

    /** Prefix of the liveness keys {@code <prefix>replica:<id>}; a replica whose key expired has died. */
    public String replicaPrefix() {
        return prefix + "replica:";
    }

    /** Pub/sub channel on which a replica tells the holder of a runtime that it removed it. */
    public String runtimeRemovals() {
        return prefix + "runtime-removals";
    }

    public String runtimesByCreation() {
        return prefix + "runtimes";
    }
}
