package dev.hearth.gateway.runtime;

import dev.hearth.pool.runtime.CreationTimings;

/**
 * The phases of one runtime creation ({@code POST /v1/runtimes} without a build), reported in a W3C
 * {@code Server-Timing} header on its answer, in the order they run: {@code reserve} (the id in the registry),
 * {@code acquire} (a warm pod from the pool), {@code lease}, {@code specialize} (the runner call, source read
 * and streamed included), within it {@code source} (until the source's last byte was read from storage) and the
 * runner's split of it, {@code extract} and {@code start} (the function loaded; for
 * {@code http}, its server accepting connections), {@code register} (held and registered ready) and
 * {@code total} (request arrival to the answer's head). The names {@code acquire}, {@code specialize} and
 * {@code total} mean what they mean on an execution's header.
 */
record CreationServerTiming(CreationTimings creation, double totalMs) {

    static final String HEADER = "Server-Timing";

    /** Built by hand, like the execution's: cheap and allocation-light. */
    String header() {
        StringBuilder header = new StringBuilder(160);
        append(header, "reserve", creation.reserveMs());
        append(header, "acquire", creation.acquireMs());
        append(header, "lease", creation.leaseMs());
        append(header, "specialize", creation.specializeMs());
        append(header, "source", creation.sourceMs());
        append(header, "extract", creation.extractMs());
        append(header, "start", creation.startMs());
        append(header, "register", creation.registerMs());
        return append(header, "total", totalMs).toString();
    }

    private static StringBuilder append(StringBuilder header, String name, double millis) {
        if (!header.isEmpty()) {
            header.append(", ");
        }
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
