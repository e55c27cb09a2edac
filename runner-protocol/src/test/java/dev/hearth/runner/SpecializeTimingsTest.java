package dev.hearth.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import dev.hearth.runner.client.SpecializeResult;
import dev.hearth.runner.protocol.ProtocolJson;
import org.junit.jupiter.api.Test;

/** The specialize answer written by hand is the one Jackson writes, and the gateway reads it back exactly. */
class SpecializeTimingsTest {

    @Test
    void writesWhatJacksonWrites() {
        double[] values = {0, 0.0001, 0.123456789, 1, 1.5, 87.09, 1234.5678, 1e7, 123456789.123, Double.MIN_VALUE};
        for (double extract : values) {
            for (double start : values) {
                SpecializeHandler.Timings timings = new SpecializeHandler.Timings(extract, start);
                assertThat(new String(timings.json(), StandardCharsets.US_ASCII))
                        .isEqualTo(new String(ProtocolJson.toBytes(timings), StandardCharsets.UTF_8));
                assertThat(ProtocolJson.fromBytes(timings.json(), SpecializeResult.class))
                        .isEqualTo(new SpecializeResult(extract, start));
            }
        }
    }
}
