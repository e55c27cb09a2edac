package dev.hearth.gateway.execution;

import java.util.Locale;

import dev.hearth.pool.runtime.CreationTimings;

/**
 * The phases of one execution, reported in a W3C {@code Server-Timing} header:
 * {@code acquire} (waiting for a pod), {@code specialize} (loading the function), {@code execute} (until
 * the function's response head) and {@code total} (request arrival to response head). The header leaves
 * with the response head, so a streamed body's own duration is the {@code duration} part of the body.
 */
record PhaseTimings(CreationTimings creation, double executeMs, double totalMs) {

    static final String HEADER = "Server-Timing";

    String header() {
        return String.format(Locale.ROOT, "acquire;dur=%.3f, specialize;dur=%.3f, execute;dur=%.3f, total;dur=%.3f",
                creation.acquireMs(), creation.specializeMs(), executeMs, totalMs);
    }
}
