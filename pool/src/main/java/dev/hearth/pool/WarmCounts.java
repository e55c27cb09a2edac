package dev.hearth.pool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.hearth.pool.accounting.PoolAccounting;
import reactor.core.publisher.Mono;

/**
 * One pool's side of the {@link PoolAccounting}: what this replica reports for one image. Reports are fire
 * and forget and best effort (a failure is logged; {@link #report} restates the absolute count every tick,
 * so lost updates heal); reservations and reads are returned for the pool to act on.
 */
final class WarmCounts {

    private static final Logger log = LoggerFactory.getLogger(WarmCounts.class);

    private final PoolAccounting accounting;
    private final String image;

    WarmCounts(PoolAccounting accounting, String image) {
        this.accounting = accounting;
        this.image = image;
    }

    /** A warm pod of this replica stopped being warm: claimed, died, or destroyed. */
    void gone() {
        send(accounting.warmGone(image));
    }

    /** A pod became warm without a reservation (an on-demand pod nobody waited for, or one handed back). */
    void added() {
        send(accounting.warmAdded(image));
    }

    /** A reserved creation ended, adding a warm pod or not. */
    void creationEnded(boolean warm) {
        send(accounting.creationEnded(image, warm));
    }

    Mono<Integer> reserve(int size, int wanted) {
        return accounting.reserveWarm(image, size, wanted);
    }

    Mono<Void> report(int warm) {
        return accounting.report(image, warm);
    }

    Mono<Integer> global() {
        return accounting.globalWarm(image);
    }

    private void send(Mono<Void> update) {
        update.subscribe(null, error -> log.debug("Pool accounting of '{}' failed: {}", image, error.toString()));
    }
}
