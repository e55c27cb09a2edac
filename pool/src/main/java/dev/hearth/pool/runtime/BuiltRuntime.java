package dev.hearth.pool.runtime;

import dev.hearth.pool.registry.RuntimeRecord;

/**
 * A runtime whose build has run: its record (still pending: {@link Runtimes#finishBuild} makes it ready or ends it)
 * and the build's outcome.
 */
public record BuiltRuntime(RuntimeRecord record, BuildOutcome outcome) {
}
