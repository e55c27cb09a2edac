package dev.hearth.gateway.execution;

import dev.hearth.pool.runtime.CreationTimings;

/**
 * The phases of one execution, reported in a W3C {@code Server-Timing} header:
 * {@code acquire} (waiting for a pod), {@code specialize} (loading the function), {@code execute} (until
 * the function's response head) and {@code total} (request arrival to response head). The header leaves
 * with the response head, so a streamed body's own duration is the {@code duration} part of the body.
 */
record PhaseTimings(CreationTimings creation, double executeMs, double totalMs) {

    static final String HEADER = "Server-Timing";

    /** Built by hand: it runs once per execution, and {@code String.format} costs more than the rest. */
    String header() {
        StringBuilder header = new StringBuilder(96);
        append(header, "acquire", creation.acquireMs()).append(", ");
        append(header, "specialize", creation.specializeMs()).append(", ");
        append(header, "execute", executeMs).append(", ");
        return append(header, "total", totalMs).toString();
    }

    private static StringBuilder append(StringBuilder header, String name, double millis) {
        long micros = Math.round(millis * 1000);
        header.append(name).append(";dur=").append(micros / 1000).append('.');
        long fraction = micros % 1000;
        if (fraction < 100) {
            header.append('0');
        }
        if (fraction < 10) {
            header.append('0');
        }
        return header.append(fraction);
    }
}
