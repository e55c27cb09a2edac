package dev.hearth.gateway.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code hearth.kubernetes.*}: used when {@code hearth.driver=kubernetes}.
 *
 * @param namespace     where runtime pods live
 * @param apiServer     the API server's URL; empty = in-cluster service account, else ~/.kube/config
 * @param runnerImage   init image carrying the runner distribution, copied into {@code /opt/hearth}
 * @param runnerPort    the runner's port in every pod
 * @param owner         object whose deletion (uninstalling Hearth) garbage-collects the pods; empty = none
 * @param cpuRequest    default CPU request of a runtime container (Kubernetes quantity)
 * @param memoryRequest default memory request
 * @param cpuLimit      default CPU limit
 * @param memoryLimit   default memory limit
 * @param runtimeClass  runtime class of every pod (gVisor, Kata), empty = the cluster default
 * @param leaseName     the {@code coordination.k8s.io/v1} Lease replicas elect their reconciler with
 * @param apiRetries    retries of an API call answered 429/5xx or failing to connect (backoff with jitter)
 * @param breakerMinimumCalls pod creations the per-pool breaker needs before it may open (at 50% failures)
 * @param breakerOpenFor how long an open breaker fails acquisitions fast before probing again
 * @param leaderLease   the reconciler Lease's duration: a dead leader is replaced within it; renewed every
 *                      fifth of it, given up when not renewed within two thirds of it
 * @param abandonedClaimGrace a claimed pod whose lease is missing this long after its claim lost its holder
 *                      (the replica died; its lease expired) and the leader deletes it. With several replicas
 *                      this needs the shared lease store (Redis): an in-memory store knows only its own leases
 */
@ConfigurationProperties("hearth.kubernetes")
public record KubernetesProperties(@DefaultValue("default") String namespace, String apiServer,
                                   @DefaultValue("ghcr.io/hearth/runner:0.1.0") String runnerImage,
                                   @DefaultValue("8080") int runnerPort, Owner owner,
                                   @DefaultValue("100m") String cpuRequest, @DefaultValue("128Mi") String memoryRequest,
                                   @DefaultValue("1") String cpuLimit, @DefaultValue("512Mi") String memoryLimit,
                                   String runtimeClass, @DefaultValue("hearth-reconciler") String leaseName,
                                   @DefaultValue("5") int apiRetries, @DefaultValue("5") int breakerMinimumCalls,
                                   @DefaultValue("30s") java.time.Duration breakerOpenFor,
                                   @DefaultValue("15s") java.time.Duration leaderLease,
                                   @DefaultValue("30s") java.time.Duration abandonedClaimGrace) {

    /** The owner reference target, e.g. the gateway's Deployment (the Helm chart fills this in). */
    public record Owner(String apiVersion, String kind, String name, String uid) {
    }
}
