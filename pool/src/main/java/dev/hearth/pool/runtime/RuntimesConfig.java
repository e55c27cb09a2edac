package dev.hearth.pool.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * Runtime lifecycle settings of one replica. Immutable; validated so a bad value fails at startup, named.
 *
 * @param replicaId           this replica's identity, the holder of its leases
 * @param leaseTtl            how long a lease lives unless renewed; renewed every third of it
 * @param inactivityThreshold an idle runtime (no execution in flight, no activity) is released after this
 * @param maintenanceInterval how often idle runtimes are looked for
 * @param activityFlush       how often executions' activity is written to the registry, in one batch
 * @param creationPoll        how often a request waiting for a runtime another replica is creating looks again
 * @param orphanAge           a reservation this old with no creation behind it is an orphan and is removed
 */
public record RuntimesConfig(String replicaId, Duration leaseTtl, Duration inactivityThreshold,
                             Duration maintenanceInterval, Duration activityFlush, Duration creationPoll,
                             Duration orphanAge) {

    public static final Duration DEFAULT_ACTIVITY_FLUSH = Duration.ofSeconds(1);
    public static final Duration DEFAULT_CREATION_POLL = Duration.ofMillis(50);
    public static final Duration DEFAULT_ORPHAN_AGE = Duration.ofSeconds(5);

    public RuntimesConfig {
        Objects.requireNonNull(replicaId, "replicaId");
        positive("leaseTtl", leaseTtl);
        positive("inactivityThreshold", inactivityThreshold);
        positive("maintenanceInterval", maintenanceInterval);
        positive("activityFlush", activityFlush);
        positive("creationPoll", creationPoll);
        positive("orphanAge", orphanAge);
    }

    /** The given lifecycle, with defaults for activity, polling and orphans. */
    public static RuntimesConfig of(String replicaId, Duration leaseTtl, Duration inactivityThreshold,
                                    Duration maintenanceInterval) {
        return new RuntimesConfig(replicaId, leaseTtl, inactivityThreshold, maintenanceInterval,
                DEFAULT_ACTIVITY_FLUSH, DEFAULT_CREATION_POLL, DEFAULT_ORPHAN_AGE);
    }

    /** How often leases are renewed: a third of their life, so two renewals may fail before one expires. */
    public Duration renewEvery() {
        return leaseTtl.dividedBy(3);
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, but was " + value);
        }
    }
}
