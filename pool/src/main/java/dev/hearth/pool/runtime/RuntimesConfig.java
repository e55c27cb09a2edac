package dev.hearth.pool.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * Runtime lifecycle settings of one replica.
 *
 * @param replicaId           this replica's identity, the holder of its leases
 * @param leaseTtl            how long a lease lives unless renewed; renewed every third of it
 * @param inactivityThreshold an idle runtime (no execution in flight, no activity) is released after this
 * @param maintenanceInterval how often idle runtimes are looked for
 */
public record RuntimesConfig(String replicaId, Duration leaseTtl, Duration inactivityThreshold,
                             Duration maintenanceInterval) {

    public RuntimesConfig {
        Objects.requireNonNull(replicaId, "replicaId");
        positive("leaseTtl", leaseTtl);
        positive("inactivityThreshold", inactivityThreshold);
        positive("maintenanceInterval", maintenanceInterval);
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, but was " + value);
        }
    }
}
