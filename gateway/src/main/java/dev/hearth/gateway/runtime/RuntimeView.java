package dev.hearth.gateway.runtime;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.hearth.pool.registry.RuntimeRecord;

/**
 * The Open Runtimes runtime object (§1.3): {@code version, created, updated, name, hostname, status, key,
 * listening, image, initialised}. {@code key} is the runtime's secret: the API returns it to the
 * authenticated caller, as Open Runtimes does, and it appears nowhere else.
 */
public final class RuntimeView {

    private RuntimeView() {
    }

    public static Map<String, Object> of(RuntimeRecord record, String executorHostname) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("version", record.version());
        view.put("created", seconds(record.created()));
        view.put("updated", seconds(record.updated()));
        view.put("name", executorHostname + "-" + record.runtimeId());
        view.put("hostname", record.podId());
        view.put("status", record.ready() ? "Up " + upFor(record) + "s" : "pending");
        view.put("key", record.secret());
        view.put("listening", record.ready() ? 1 : 0);
        view.put("image", record.image());
        view.put("initialised", record.ready() ? 1 : 0);
        return view;
    }

    /** Unix seconds with microseconds, as a plain decimal (never exponent notation, for PHP clients). */
    public static BigDecimal seconds(Instant instant) {
        return BigDecimal.valueOf(instant.getEpochSecond())
                .add(BigDecimal.valueOf(instant.getNano() / 1000, 6));
    }

    private static String upFor(RuntimeRecord record) {
        return BigDecimal.valueOf(Duration.between(record.created(), Instant.now()).toMillis(), 3).toPlainString();
    }
}
