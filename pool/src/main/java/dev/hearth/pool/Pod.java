package dev.hearth.pool;

import java.time.Instant;

import dev.hearth.runner.client.RunnerTarget;

/**
 * One runtime pod: a runner reachable at {@code host:port} that accepts calls carrying {@code secret}.
 * A pod serves at most one runtime in its life and is destroyed after it.
 */
public record Pod(String id, String image, String host, int port, String secret, Instant createdAt) {

    /** Its runner, called under the lease whose fencing token is {@code token}. */
    public RunnerTarget target(long token) {
        return new RunnerTarget(host, port, secret, token);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "Pod[" + id + " " + image + " " + host + ":" + port + "]";
    }
}
