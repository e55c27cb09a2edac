package dev.hearth.pool.lease;

import java.time.Instant;

/**
 * The exclusive, expiring claim of one pod by one holder (a gateway replica serving a runtime).
 *
 * @param podId     the claimed pod
 * @param holder    who holds it (a replica id)
 * @param token     fencing token: grows with every claim across the whole store; the runner rejects
 *                  calls carrying a token older than the newest it has seen
 * @param expiresAt when the lease lapses unless renewed
 */
public record Lease(String podId, String holder, long token, Instant expiresAt) {
}
