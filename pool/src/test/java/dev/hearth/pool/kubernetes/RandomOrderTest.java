package dev.hearth.pool.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import reactor.test.StepVerifier;

class RandomOrderTest {

    private final List<Integer> items = IntStream.range(0, 100).boxed().toList();

    @Test
    void drawsEveryElementOnce() {
        List<Integer> drawn = RandomOrder.of(items).collectList().block();

        assertThat(drawn).as("drawn").containsExactlyInAnyOrderElementsOf(items);
    }

    @Test
    void drawsInADifferentOrderEachTime() {
        List<Integer> first = RandomOrder.of(items).collectList().block();
        List<Integer> second = RandomOrder.of(items).collectList().block();

        // Two equal orders of 100 elements: a chance of 1 in 100!.
        assertThat(first).as("first order").isNotEqualTo(second);
    }

    @Test
    void drawsOnlyWhatIsRequestedAndLeavesNothingToDiscardOnCancel() {
        AtomicInteger drawn = new AtomicInteger();
        List<Object> discarded = new ArrayList<>();

        StepVerifier.create(RandomOrder.of(items)
                        .doOnNext(item -> drawn.incrementAndGet())
                        .doOnDiscard(Object.class, discarded::add), 1)
                .expectNextCount(1)
                .thenCancel()
                .verify();

        assertThat(drawn).as("drawn").hasValue(1);
        assertThat(discarded).as("discarded on cancel").isEmpty();
    }
}
