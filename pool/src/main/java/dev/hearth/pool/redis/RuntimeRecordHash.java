package dev.hearth.pool.redis;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.hearth.pool.registry.RuntimeRecord;

/**
 * {@link RuntimeRecord} as a Redis hash: one field per record component, instants in ISO-8601 so they
 * round-trip exactly, absent fields for nulls. Fields this class does not know (such as the script's
 * {@code _reservation}) are ignored on read.
 */
final class RuntimeRecordHash {

    private RuntimeRecordHash() {
    }

    /** Field/value pairs for {@code HSET}. Holds the secret: never log the result. */
    static List<String> fields(RuntimeRecord record) {
        Objects.requireNonNull(record.runtimeId(), "runtimeId");
        Objects.requireNonNull(record.created(), "created");
        List<String> pairs = new ArrayList<>(24);
        put(pairs, "runtimeId", record.runtimeId());
        put(pairs, "image", record.image());
        put(pairs, "version", record.version());
        put(pairs, "status", record.status());
        put(pairs, "podId", record.podId());
        put(pairs, "host", record.host());
        put(pairs, "port", Integer.toString(record.port()));
        put(pairs, "secret", record.secret());
        put(pairs, "leaseToken", Long.toString(record.leaseToken()));
        put(pairs, "holder", record.holder());
        put(pairs, "created", instant(record.created()));
        put(pairs, "updated", record.updated() == null ? null : instant(record.updated()));
        return pairs;
    }

    /** The record a hash describes; null for an empty hash (no such runtime). */
    static RuntimeRecord fromHash(Map<String, String> hash) {
        if (hash.isEmpty()) {
            return null;
        }
        return new RuntimeRecord(hash.get("runtimeId"), hash.get("image"), hash.get("version"), hash.get("status"),
                hash.get("podId"), hash.get("host"), Integer.parseInt(hash.getOrDefault("port", "0")),
                hash.get("secret"), Long.parseLong(hash.getOrDefault("leaseToken", "0")), hash.get("holder"),
                instant(hash.get("created")), instant(hash.get("updated")));
    }

    /** A flat {@code HGETALL} reply (field, value, field, value ...) as a record. */
    static RuntimeRecord fromFlatReply(List<Object> reply) {
        Map<String, String> hash = new HashMap<>();
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            hash.put((String) reply.get(i), (String) reply.get(i + 1));
        }
        return fromHash(hash);
    }

    /** Sorted-set score: microseconds since the epoch are exact in a double until the year 2255. */
    static String creationScore(Instant created) {
        return Long.toString(ChronoUnit.MICROS.between(Instant.EPOCH, created));
    }

    private static void put(List<String> pairs, String field, String value) {
        if (value != null) {
            pairs.add(field);
            pairs.add(value);
        }
    }

    /**
     * An instant as stored: ISO-8601 in UTC with all nine fraction digits, so that two stored instants compare as
     * strings exactly as they compare as times (the touch script relies on it). {@link Instant#parse} reads it.
     */
    static String instant(Instant value) {
        return STORED_INSTANT.format(value);
    }

    private static final java.time.format.DateTimeFormatter STORED_INSTANT = java.time.format.DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private static Instant instant(String value) {
        return value == null ? null : Instant.parse(value);
    }
}
