package dev.hearth.gateway.config;

import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.hearth.pool.runtime.RuntimesConfig;

/**
 * {@code hearth.runtimes.*}: the lifecycle of the runtimes a replica holds.
 *
 * @param leaseTtl            a pod lease lives this long unless renewed (every third of it)
 * @param inactivityThreshold an idle runtime is released after this ({@code OPR_EXECUTOR_INACTIVE_THRESHOLD})
 * @param maintenanceInterval how often idle runtimes are looked for ({@code OPR_EXECUTOR_MAINTENANCE_INTERVAL})
 * @param activityFlush       how often executions' activity is written to the registry, in one batch
 * @param creationPoll        how often a request waiting for a runtime another replica creates looks again
 * @param orphanAge           a reservation this old with no creation behind it is removed
 * @param shutdownTimeout     how long shutdown waits for the held runtimes to end (leases released, pods deleted)
 */
public record RuntimesProperties(@DefaultValue("30s") Duration leaseTtl,
                                 @DefaultValue("60s") Duration inactivityThreshold,
                                 @DefaultValue("60s") Duration maintenanceInterval,
                                 @DefaultValue("1s") Duration activityFlush,
                                 @DefaultValue("50ms") Duration creationPoll,
                                 @DefaultValue("5s") Duration orphanAge,
                                 @DefaultValue("10s") Duration shutdownTimeout) {

    public RuntimesProperties {
        Durations.requirePositive("hearth.runtimes.lease-ttl", leaseTtl);
        Durations.requirePositive("hearth.runtimes.inactivity-threshold", inactivityThreshold);
        Durations.requirePositive("hearth.runtimes.maintenance-interval", maintenanceInterval);
        Durations.requirePositive("hearth.runtimes.activity-flush", activityFlush);
        Durations.requirePositive("hearth.runtimes.creation-poll", creationPoll);
        Durations.requirePositive("hearth.runtimes.orphan-age", orphanAge);
        Durations.requirePositive("hearth.runtimes.shutdown-timeout", shutdownTimeout);
    }

    public RuntimesConfig config(String replicaId) {
        return new RuntimesConfig(replicaId, leaseTtl, inactivityThreshold, maintenanceInterval, activityFlush,
                creationPoll, orphanAge);
    }
}
