package dev.hearth.pool.runtime;

/**
 * How long the phases of a runtime's creation took, in milliseconds, as the request that ran the creation saw
 * them. A request that found the runtime ready, or joined a creation another request started, reports
 * {@link #NONE}: it only waited, and that wait is reported apart ({@link ResolvedRuntime#waitNanos()}).
 */
public record CreationTimings(double acquireMs, double specializeMs) {

    public static final CreationTimings NONE = new CreationTimings(0, 0);
}
