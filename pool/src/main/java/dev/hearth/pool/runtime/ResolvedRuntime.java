package dev.hearth.pool.runtime;

import dev.hearth.pool.registry.RuntimeRecord;

/**
 * A runtime ready to execute on, as {@link Runtimes#resolve} found it: its record, how its creation went if
 * this request created it, and how long this request waited for it (0 when it was ready already).
 */
public record ResolvedRuntime(RuntimeRecord record, CreationTimings creation, long waitNanos) {

    static ResolvedRuntime ready(RuntimeRecord record) {
        return new ResolvedRuntime(record, CreationTimings.NONE, 0);
    }
}
