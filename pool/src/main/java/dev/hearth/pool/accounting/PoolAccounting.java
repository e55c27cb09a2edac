package dev.hearth.pool.accounting;

import reactor.core.publisher.Mono;

/**
 * Counts warm pods per image across every replica, so that together the replicas keep {@code size} warm
 * pods, not N × {@code size} (DESIGN.md: pool accounting is global). In memory for one replica, in Redis
 * for several. Each replica reports only its own pods; a replica that stops beating drops out of the sums.
 */
public interface PoolAccounting {

    /**
     * Reserves creation slots: grants at most {@code wanted}, and no more than keeps
     * {@code warm + creating <= size} across all replicas. Emits the number granted (possibly 0).
     */
    Mono<Integer> reserveWarm(String image, int size, int wanted);

    /** A reserved creation ended; {@code warm} says whether it added a warm pod. */
    Mono<Void> creationEnded(String image, boolean warm);

    /** A pod of this replica became warm without a reservation (an on-demand pod nobody waited for). */
    Mono<Void> warmAdded(String image);

    /** A warm pod of this replica stopped being warm: claimed, died, or destroyed. */
    Mono<Void> warmGone(String image);

    /** Warm pods of the image across all live replicas. */
    Mono<Integer> globalWarm(String image);

    /** Keeps this replica's counts in the sums; called more often than the liveness TTL. */
    Mono<Void> heartbeat();

    /**
     * Restates this replica's warm count as an absolute value, so that counts lost or skewed (a store
     * restarted empty, an update that failed during an outage) heal at the next maintenance tick.
     */
    Mono<Void> report(String image, int warm);
}
