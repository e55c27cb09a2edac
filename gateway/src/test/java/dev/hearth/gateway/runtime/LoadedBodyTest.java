package dev.hearth.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The creation's 201 body written by hand is what the JSON codec writes for the same values. */
class LoadedBodyTest {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    @Test
    void writesWhatJacksonWritesForTheSameValues() {
        for (Instant started : List.of(Instant.now().minusMillis(5), Instant.parse("2026-12-07T13:00:00Z"),
                Instant.parse("2026-12-07T13:00:00.000001Z"), Instant.now().minusSeconds(3600))) {
            String body = new String(RuntimeHandler.loadedBody(started), StandardCharsets.US_ASCII);

            JsonNode read = JSON.readTree(body);
            assertThat(read.get("output").isArray()).isTrue();
            assertThat(read.get("output").size()).isZero();
            assertThat(read.get("startTime").decimalValue()).isEqualByComparingTo(RuntimeView.seconds(started));
            BigDecimal duration = read.get("duration").decimalValue();
            assertThat(duration).isPositive().isLessThan(BigDecimal.valueOf(86_400));
            assertThat(body).as("plain decimals with microseconds, never exponents")
                    .matches("\\{\"output\":\\[],\"startTime\":\\d+\\.\\d{6},\"duration\":\\d+\\.\\d{6}}");

            Map<String, Object> same = new LinkedHashMap<>();
            same.put("output", List.of());
            same.put("startTime", RuntimeView.seconds(started));
            same.put("duration", duration);
            assertThat(body).isEqualTo(JSON.writeValueAsString(same));
        }
    }
}
