package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.hearth.runner.protocol.Adapter;
import dev.hearth.runner.protocol.ProtocolJson;
import dev.hearth.runner.protocol.RunnerHealth;
import dev.hearth.runner.protocol.RunnerProtocol;
import org.junit.jupiter.api.Test;

/** The health body written by hand is the one Jackson writes, for every value a runner can report. */
class HealthHandlerTest {

    @Test
    void writesWhatJacksonWrites() {
        List<String> adapters = new ArrayList<>(List.of(""));
        for (Adapter adapter : Adapter.values()) {
            adapters.add(adapter.wireName());
        }
        for (String adapter : adapters) {
            for (boolean specialized : new boolean[] {false, true}) {
                for (int inFlight : new int[] {0, 1, 256, Integer.MAX_VALUE}) {
                    for (List<Integer> protocols : List.of(RunnerProtocol.SUPPORTED_VERSIONS, List.of(1, 2))) {
                        RunnerHealth health = new RunnerHealth("ok", protocols, specialized, adapter, inFlight);
                        assertThat(new String(HealthHandler.json(health), StandardCharsets.UTF_8))
                                .isEqualTo(new String(ProtocolJson.toBytes(health), StandardCharsets.UTF_8));
                        assertThat(ProtocolJson.fromBytes(HealthHandler.json(health), RunnerHealth.class))
                                .isEqualTo(health);
                    }
                }
            }
        }
    }
}
