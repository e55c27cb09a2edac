package dev.hearth.pool.runtime;

/** How long the phases of a runtime's creation took, in milliseconds. */
public record CreationTimings(double acquireMs, double specializeMs) {

    public static final CreationTimings NONE = new CreationTimings(0, 0);
}
