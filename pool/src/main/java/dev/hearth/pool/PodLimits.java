package dev.hearth.pool;

/**
 * CPU and memory limits of a pod, as Open Runtimes asks for them per runtime ({@code cpus}, {@code memory}). Zero in a
 * dimension means "not set": the pool's own setting (or no limit) holds there.
 *
 * @param cpus     cores, e.g. {@code 0.5}; 0 = not set
 * @param memoryMb megabytes (Open Runtimes' unit; on Kubernetes {@code Mi}); 0 = not set
 */
public record PodLimits(double cpus, long memoryMb) {

    /** No limit asked for, or none set. */
    public static final PodLimits NONE = new PodLimits(0, 0);

    public PodLimits {
        if (!(cpus >= 0) || Double.isInfinite(cpus)) {
            throw new IllegalArgumentException("cpus must be a number >= 0, but was " + cpus);
        }
        if (memoryMb < 0) {
            throw new IllegalArgumentException("memory must be >= 0 MB, but was " + memoryMb);
        }
    }

    /** Whether neither dimension is set. */
    public boolean unset() {
        return cpus == 0 && memoryMb == 0;
    }

    /**
     * Whether pods with these limits can serve a runtime that asks for {@code asked}: in each dimension either side
     * is unset (no limit here, or nothing asked) or this limit is at least the request.
     */
    public boolean covers(PodLimits asked) {
        return (cpus == 0 || asked.cpus == 0 || asked.cpus <= cpus)
                && (memoryMb == 0 || asked.memoryMb == 0 || asked.memoryMb <= memoryMb);
    }

    @Override
    public String toString() {
        if (unset()) {
            return "no limits asked";
        }
        return (cpus == 0 ? "-" : stripped(cpus)) + " cpus, " + (memoryMb == 0 ? "-" : memoryMb + " MB");
    }

    private static String stripped(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
