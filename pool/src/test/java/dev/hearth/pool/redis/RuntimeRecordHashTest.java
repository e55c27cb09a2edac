package dev.hearth.pool.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.hearth.pool.registry.RuntimeRecord;

class RuntimeRecordHashTest {

    private static final Instant CREATED = Instant.parse("2026-03-04T05:06:07.123456789Z");

    @Test
    void roundTripsEveryFieldExactly() {
        RuntimeRecord record = new RuntimeRecord("rt", "img", "v5", RuntimeRecord.READY, "pod", "10.0.0.1", 3000,
                "secret", Long.MAX_VALUE, "r1", CREATED, CREATED.plusSeconds(5));
        assertThat(RuntimeRecordHash.fromHash(asMap(RuntimeRecordHash.fields(record))))
                .usingRecursiveComparison().isEqualTo(record);
    }

    @Test
    void ignoresFieldsItDoesNotKnow() {
        RuntimeRecord record = RuntimeRecord.pending("rt", "img", "v5", "r1", CREATED);
        Map<String, String> hash = asMap(RuntimeRecordHash.fields(record));
        hash.put("_reservation", "nonce");
        assertThat(RuntimeRecordHash.fromHash(hash)).usingRecursiveComparison().isEqualTo(record);
    }

    @Test
    void emptyHashIsNoRecord() {
        assertThat(RuntimeRecordHash.fromHash(Map.of())).isNull();
        assertThat(RuntimeRecordHash.fromFlatReply(List.of())).isNull();
    }

    @Test
    void creationScoreKeepsMicrosecondOrder() {
        assertThat(Double.parseDouble(RuntimeRecordHash.creationScore(CREATED.plusNanos(1_000))))
                .as("one microsecond later")
                .isGreaterThan(Double.parseDouble(RuntimeRecordHash.creationScore(CREATED)));
    }

    private static Map<String, String> asMap(List<String> pairs) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < pairs.size(); i += 2) {
            map.put(pairs.get(i), pairs.get(i + 1));
        }
        return map;
    }
}
