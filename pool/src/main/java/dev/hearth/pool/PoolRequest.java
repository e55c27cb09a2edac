package dev.hearth.pool;

import java.util.Objects;

/**
 * What a runtime asks of the pools: its image, its Open Runtimes version (which decides the adapter of a pool made
 * for it) and its limits (which a pod made for it gets exactly).
 *
 * @param image   the runtime's image reference
 * @param version Open Runtimes runtime protocol version ({@code v5}, {@code v2}, …)
 * @param limits  the runtime's {@code cpus} and {@code memory}; {@link PodLimits#NONE} when it asks for none
 */
public record PoolRequest(String image, String version, PodLimits limits) {

    public PoolRequest {
        Objects.requireNonNull(image, "image");
        version = version == null ? "" : version;
        limits = limits == null ? PodLimits.NONE : limits;
    }

    /** A request for the image alone, no version, no limits. */
    public static PoolRequest of(String image) {
        return new PoolRequest(image, "", PodLimits.NONE);
    }
}
