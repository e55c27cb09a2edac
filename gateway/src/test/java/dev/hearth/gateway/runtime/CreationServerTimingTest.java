package dev.hearth.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.hearth.pool.runtime.CreationTimings;

class CreationServerTimingTest {

    @Test
    void headerNamesEveryPhaseInTheOrderTheyRun() {
        CreationTimings creation = new CreationTimings(0.25, 1.5, 0.125, 20.0004, 2.0, 3.5, 12.75, 0.007);
        assertThat(new CreationServerTiming(creation, 40.5).header()).isEqualTo(
                "reserve;dur=0.250, acquire;dur=1.500, lease;dur=0.125, specialize;dur=20.000, source;dur=2.000, extract;dur=3.500, "
                        + "start;dur=12.750, register;dur=0.007, total;dur=40.500");
    }

    @Test
    void phasesTheExecutionHeaderNamesKeepTheirNames() {
        String header = new CreationServerTiming(new CreationTimings(1.5, 20.0), 30.0).header();
        assertThat(header).as("acquire, specialize and total as on an execution's Server-Timing")
                .contains("acquire;dur=1.500", "specialize;dur=20.000", "total;dur=30.000");
    }
}
