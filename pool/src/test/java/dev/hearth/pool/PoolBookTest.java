package dev.hearth.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import reactor.core.publisher.Operators;

/** The pool's one decision point, driven event by event without threads, drivers or timers. */
class PoolBookTest {

    private static final PoolConfig CONFIG = new PoolConfig("img", 2, 4, 3, Duration.ofSeconds(5), "exec", "sh",
            Duration.ofSeconds(5));

    private static PoolWaiter waiter() {
        return new PoolWaiter(Operators.emptySubscriber(), null);
    }

    private static Pod pod(int n) {
        return new Pod("pod-" + n, "img", "127.0.0.1", 8000 + n, "s", Instant.EPOCH);
    }

    @Test
    void aBurstBeforeTheNextDecisionQueuesAtMostOneWaiterPerWarmPodBeyondTheBound() {
        PoolBook book = new PoolBook(CONFIG, () -> false);
        book.decide();                  // starts creating the pool's two pods
        book.created(pod(1));
        book.created(pod(2));

        List<PoolBook.Arrival> arrivals = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            arrivals.add(book.arrived(waiter()));
        }

        assertThat(arrivals).as("3 pending + 2 served by the warm pods; the rest refused at once")
                .containsExactly(PoolBook.Arrival.QUEUED, PoolBook.Arrival.QUEUED, PoolBook.Arrival.QUEUED,
                        PoolBook.Arrival.QUEUED, PoolBook.Arrival.QUEUED, PoolBook.Arrival.FULL,
                        PoolBook.Arrival.FULL, PoolBook.Arrival.FULL, PoolBook.Arrival.FULL, PoolBook.Arrival.FULL);
        PoolPlan plan = book.decide();
        assertThat(plan.deliveries).as("the warm pods go to the first two").hasSize(2);
        assertThat(book.arrived(waiter())).as("after the decision: 3 pend, none warm").isEqualTo(PoolBook.Arrival.FULL);
    }
}
