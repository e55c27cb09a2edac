package dev.hearth.gateway.runtime;

import dev.hearth.gateway.api.ServerTiming;
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

    static final String HEADER = ServerTiming.HEADER;

    String header() {
        return new ServerTiming()
                .metric("reserve", creation.reserveMs())
                .metric("acquire", creation.acquireMs())
                .metric("lease", creation.leaseMs())
                .metric("specialize", creation.specializeMs())
                .metric("source", creation.sourceMs())
                .metric("extract", creation.extractMs())
                .metric("start", creation.startMs())
                .metric("register", creation.registerMs())
                .metric("total", totalMs)
                .toString();
    }
}
