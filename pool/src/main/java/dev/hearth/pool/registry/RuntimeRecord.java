package dev.hearth.pool.registry;

import java.time.Instant;

import dev.hearth.runner.client.RunnerTarget;

/**
 * One runtime as every replica sees it: which pod serves it and how to reach it.
 *
 * @param runtimeId    the caller's id
 * @param image        the pool the pod came from
 * @param version      Open Runtimes protocol version the runtime was created with ({@code v5} ...)
 * @param status       {@link #PENDING} while being created, {@link #READY} once it serves executions
 * @param podId        the pod, empty while pending
 * @param host         the runner's address
 * @param port         the runner's port
 * @param secret       the pod's secret: returned as {@code key} by the API, never logged
 * @param leaseToken   fencing token of the pod's lease
 * @param holder       replica holding the pod's lease
 * @param created      when creation started
 * @param updated      last creation or execution activity; drives the idle reaper
 */
public record RuntimeRecord(String runtimeId, String image, String version, String status, String podId,
                            String host, int port, String secret, long leaseToken, String holder,
                            Instant created, Instant updated) {

    public static final String PENDING = "pending";
    public static final String READY = "ready";

    public static RuntimeRecord pending(String runtimeId, String image, String version, String holder, Instant now) {
        return new RuntimeRecord(runtimeId, image, version, PENDING, "", "", 0, "", 0, holder, now, now);
    }

    public boolean ready() {
        return READY.equals(status);
    }

    /** Where its runner listens, with the runtime's lease token for fencing. Only for a ready runtime. */
    public RunnerTarget target() {
        return new RunnerTarget(host, port, secret, leaseToken);
    }

    public RuntimeRecord touched(Instant when) {
        return new RuntimeRecord(runtimeId, image, version, status, podId, host, port, secret, leaseToken, holder,
                created, when);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "RuntimeRecord[" + runtimeId + " " + image + " " + status + " pod=" + podId + "]";
    }
}
