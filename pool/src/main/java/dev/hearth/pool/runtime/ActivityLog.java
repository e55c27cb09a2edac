package dev.hearth.pool.runtime;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.hearth.pool.registry.RuntimeRegistry;
import reactor.core.publisher.Mono;

/**
 * Activity of executions run through this replica, written to the registry in batches off the response path
 * (one registry call per flush, not a write per execution). The registry's {@code updated} then shows it to every
 * replica: to API readers, and to the holder's idle reaper, which checks it before releasing a runtime that
 * looks idle locally but served executions through other replicas. Owns the map of unwritten activity.
 */
final class ActivityLog {

    private final Map<String, Instant> unwritten = new ConcurrentHashMap<>();
    private final RuntimeRegistry registry;

    ActivityLog(RuntimeRegistry registry) {
        this.registry = registry;
    }

    /** The runtime was active at {@code when}. Cheap and non-blocking: no I/O. */
    void record(String runtimeId, Instant when) {
        unwritten.merge(runtimeId, when, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Writes what was recorded since the last flush; on failure it is kept for the next one. */
    Mono<Void> flush() {
        return Mono.defer(() -> {
            Map<String, Instant> batch = new HashMap<>();
            unwritten.forEach((runtimeId, when) -> {
                if (unwritten.remove(runtimeId, when)) {
                    batch.put(runtimeId, when);
                }
            });
            if (batch.isEmpty()) {
                return Mono.empty();
            }
            return registry.touch(batch)
                    .doOnError(error -> batch.forEach(this::record));
        });
    }
}
