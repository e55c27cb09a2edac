package dev.hearth.pool.runtime;

/**
 * How long the phases of a runtime's creation took, in milliseconds, as the request that ran the creation saw
 * them (each measured with {@link System#nanoTime()}, in the order they run):
 * <ul>
 *   <li>{@code reserve} — the runtime id reserved in the registry (a registry write);</li>
 *   <li>{@code acquire} — a pod taken from the image's pool (the claim of a warm pod, or the wait for one), with
 *       the start of the source's read beside it ({@link SourceAhead});</li>
 *   <li>{@code lease} — the pod's lease claimed in the lease store;</li>
 *   <li>{@code specialize} — the specialize call to the runner, from its start to its answer (the source sent,
 *       the runner's work, the answer);</li>
 *   <li>{@code source} — within it, from the call's start until the source's last byte was read from storage: 0
 *       when a small archive was read whole while the pod was acquired and leased ({@link SourceAhead}); a larger
 *       one streams to the runner as it is read, so this overlaps the runner's extraction;</li>
 *   <li>{@code extract}, {@code start} — the runner's own split of that work: the archive extracted as it
 *       arrives, then the function loaded (for {@code http}, its server started and accepting connections);
 *       0 when the runner did not say;</li>
 *   <li>{@code register} — the runtime held and registered ready (a registry write).</li>
 * </ul>
 * A request that found the runtime ready, or joined a creation another request started, reports {@link #NONE}:
 * it only waited, and that wait is reported apart ({@link ResolvedRuntime#waitNanos()}).
 */
public record CreationTimings(double reserveMs, double acquireMs, double leaseMs, double specializeMs,
                              double sourceMs, double extractMs, double startMs, double registerMs) {

    public static final CreationTimings NONE = new CreationTimings(0, 0);

    /** Only the two phases the execution's {@code Server-Timing} has always named. */
    public CreationTimings(double acquireMs, double specializeMs) {
        this(0, acquireMs, 0, specializeMs, 0, 0, 0, 0);
    }

    /** The same timings with the registry write that marked the runtime ready. */
    CreationTimings registered(double millis) {
        return new CreationTimings(reserveMs, acquireMs, leaseMs, specializeMs, sourceMs, extractMs, startMs, millis);
    }
}
