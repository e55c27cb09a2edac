package dev.hearth.gateway.execution;

import dev.hearth.gateway.api.ServerTiming;
import dev.hearth.pool.runtime.CreationTimings;

/**
 * The phases of one execution, reported in a W3C {@code Server-Timing} header:
 * {@code acquire} (waiting for a pod), {@code specialize} (loading the function), {@code execute} (until
 * the function's response head) and {@code total} (request arrival to response head). The header leaves
 * with the response head, so a streamed body's own duration is the {@code duration} part of the body.
 */
record PhaseTimings(CreationTimings creation, double executeMs, double totalMs) {

    static final String HEADER = ServerTiming.HEADER;

    String header() {
        return new ServerTiming()
                .metric("acquire", creation.acquireMs())
                .metric("specialize", creation.specializeMs())
                .metric("execute", executeMs)
                .metric("total", totalMs)
                .toString();
    }
}
