package dev.hearth.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Meters per image stay bounded however many distinct images callers send. */
class ByImageTest {

    @Test
    void imagesPastTheBoundShareTheOtherMeters() {
        AtomicInteger registered = new AtomicInteger();
        ByImage<String> meters = new ByImage<>(List.of("configured:1"), image -> {
            registered.incrementAndGet();
            return image;
        });

        for (int i = 0; i < 10_000; i++) {
            meters.get("client/image-" + i + ":1");
        }

        assertThat(registered).hasValue(ByImage.MAX_IMAGES + 1);
        assertThat(meters.get("configured:1")).isEqualTo("configured:1");
        assertThat(meters.get("client/image-9999:1")).isEqualTo(ByImage.OTHER);
        assertThat(meters.get("client/image-1:1")).as("seen before the bound").isEqualTo("client/image-1:1");
    }
}
