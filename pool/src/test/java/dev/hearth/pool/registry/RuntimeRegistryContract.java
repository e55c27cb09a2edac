package dev.hearth.pool.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** What every {@link RuntimeRegistry} guarantees; each implementation's test extends this class. */
public abstract class RuntimeRegistryContract {

    protected abstract RuntimeRegistry registry();

    private static RuntimeRecord ready(String id, Instant created) {
        return new RuntimeRecord(id, "img", "v5", RuntimeRecord.READY, "pod-" + id, "127.0.0.1", 9000, "s3cret",
                7, "r1", created, created);
    }

    @Test
    void reserveIsAtomicPerId() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(registry().reserve(RuntimeRecord.pending("rt-1", "img", "v5", "r1", now)).blockOptional())
                .as("first reservation: added, nothing existed").isEmpty();
        RuntimeRecord existing = registry().reserve(RuntimeRecord.pending("rt-1", "img", "v5", "r2", now)).block();
        assertThat(existing).as("second reservation of the same id answers the existing record").isNotNull();
        assertThat(existing.holder()).isEqualTo("r1");
        assertThat(existing.ready()).isFalse();
        assertThat(registry().get("rt-1").block().holder()).isEqualTo("r1");
    }

    @Test
    void updateReplacesOnlyExistingRecords() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(registry().update(ready("rt-2", now)).block()).as("update of a missing runtime").isFalse();
        assertThat(registry().get("rt-2").blockOptional()).isEmpty();
        registry().reserve(RuntimeRecord.pending("rt-2", "img", "v5", "r1", now)).block();
        assertThat(registry().update(ready("rt-2", now)).block()).isTrue();
        RuntimeRecord stored = registry().get("rt-2").block();
        assertThat(stored.ready()).isTrue();
        assertThat(stored.secret()).isEqualTo("s3cret");
        assertThat(stored.port()).isEqualTo(9000);
        assertThat(stored.leaseToken()).isEqualTo(7);
    }

    @Test
    void listIsInCreationOrder() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        registry().reserve(ready("rt-b", t0.plusSeconds(2))).block();
        registry().reserve(ready("rt-a", t0.plusSeconds(1))).block();
        List<String> ids = registry().list().map(RuntimeRecord::runtimeId).collectList().block();
        assertThat(ids).containsSubsequence("rt-a", "rt-b");
    }

    @Test
    void removeReturnsTheRecordOnce() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        registry().reserve(ready("rt-3", now)).block();
        assertThat(registry().remove("rt-3").block()).isNotNull();
        assertThat(registry().remove("rt-3").blockOptional()).as("second remove").isEmpty();
        assertThat(registry().get("rt-3").blockOptional()).isEmpty();
    }

    @Test
    void touchMovesUpdatedForwardOnlyInOneBatch() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        registry().reserve(ready("rt-4", now)).block();
        registry().reserve(ready("rt-5", now)).block();
        registry().touch(Map.of("rt-4", now.plusSeconds(60), "rt-5", now.plusMillis(1500), "missing", now)).block();
        assertThat(registry().get("rt-4").block().updated()).isEqualTo(now.plusSeconds(60));
        assertThat(registry().get("rt-5").block().updated()).as("fractions of a second compare right")
                .isEqualTo(now.plusMillis(1500));
        assertThat(registry().get("missing").blockOptional()).as("touch creates nothing").isEmpty();
        registry().touch(Map.of("rt-4", now.plusSeconds(30), "rt-5", now.plusSeconds(2))).block();
        assertThat(registry().get("rt-4").block().updated()).as("never moved back").isEqualTo(now.plusSeconds(60));
        assertThat(registry().get("rt-5").block().updated()).as("moved forward past a fraction")
                .isEqualTo(now.plusSeconds(2));
    }
}
