package dev.hearth.gateway.execution;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.hearth.pool.runtime.CreationTimings;

class PhaseTimingsTest {

    @Test
    void headerIsW3cServerTimingWithMicrosecondPrecision() {
        String header = new PhaseTimings(new CreationTimings(1.5, 20.0004), 3.0456, 1234.5).header();
        assertThat(header).isEqualTo("acquire;dur=1.500, specialize;dur=20.000, execute;dur=3.046, total;dur=1234.500");
    }

    @Test
    void smallFractionsArePadded() {
        assertThat(new PhaseTimings(CreationTimings.NONE, 0.007, 0.05).header())
                .isEqualTo("acquire;dur=0.000, specialize;dur=0.000, execute;dur=0.007, total;dur=0.050");
    }
}
