package dev.hearth.pool.redis;

import dev.hearth.pool.StoreUnavailableException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;

/**
 * Failure policy of the Redis stores, decided here.
 * <ul>
 *   <li>Fail closed, fast. The connection rejects commands while it is disconnected and every command
 *       has a timeout ({@link RedisConfig#commandTimeout()}), so an operation fails within that timeout
 *       with {@link StoreUnavailableException}. A claim that fails is not a claim: the caller answers 503.
 *       The stores never fall back to local state, which would hand one pod out twice.</li>
 *   <li>Leases already held stay valid until their expiry (their holder knows it); a renewal that fails
 *       with {@link StoreUnavailableException} does not mean the leases are lost: retry on the next tick
 *       and stop using a pod once its {@code expiresAt} has passed.</li>
 *   <li>Recovery needs no restart: Lettuce reconnects in the background and the scripts are reloaded on
 *       {@code NOSCRIPT}. Tokens never fall below Redis's clock in microseconds, so they still grow after
 *       Redis lost its data or failed over to a replica that missed the latest claims.</li>
 *   <li>An error reply that is not about availability (a script bug, wrong key type) is a bug and
 *       propagates unchanged.</li>
 * </ul>
 */
final class RedisFailures {

    /** Error replies that mean "not now" rather than "wrong". */
    private static final List<String> UNAVAILABLE_REPLIES = List.of(
            "LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN", "CLUSTERDOWN", "OOM", "NOREPLICAS");

    private RedisFailures() {
    }

    /** For {@code onErrorMap}: availability failures become {@link StoreUnavailableException}. */
    static Function<Throwable, Throwable> translate(String operation) {
        return error -> isUnavailability(error) ? new StoreUnavailableException(operation, error) : error;
    }

    /**
     * The command was sent and no reply came in time: it may or may not have run. Only an idempotent command,
     * or one that recognises its own replay (the lease claim's nonce), may be sent again.
     */
    static boolean isUnknownOutcome(Throwable error) {
        return error instanceof RedisCommandTimeoutException;
    }

    static boolean isUnavailability(Throwable error) {
        if (error instanceof RedisCommandExecutionException reply) {
            String message = reply.getMessage() == null ? "" : reply.getMessage();
            return UNAVAILABLE_REPLIES.stream().anyMatch(message::startsWith);
        }
        // Not connected, rejected while reconnecting, timed out, connection reset: transport trouble.
        return error instanceof RedisException
                || error instanceof IOException
                || error instanceof TimeoutException;
    }
}
