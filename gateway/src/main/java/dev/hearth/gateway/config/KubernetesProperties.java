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
 * @param ownerConfigMap ConfigMap in {@code namespace} every pod and Job gets an owner reference to, so that
 *                      deleting it (uninstalling the chart) garbage-collects them; looked up at start. Empty = none
 * @param podLabels     extra labels on every pod, Job and Secret, which this installation's informers also select
 *                      on (the chart sets {@code app.kubernetes.io/instance}): installations sharing a namespace
 *                      then neither see nor reap each other's pods. Keys with dots or slashes go in brackets
 * @param podSecretKey  key every replica derives each pod's secret from (the same on all replicas); empty = the
 *                      executor secret. Changing it retires every existing pod at its next call
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
 * @param orphanSecretGrace a pod Secret whose pod has been gone this long is deleted by the leader (swept as
 *                      often); the garbage collector normally removes it with its pod first
 * @param abandonedClaimGrace a claimed pod whose lease is missing this long after its claim lost its holder
 *                      (the replica died; its lease expired) and the leader deletes it. With several replicas
 *                      this needs the shared lease store (Redis): an in-memory store knows only its own leases
 */
@ConfigurationProperties("hearth.kubernetes")
public record KubernetesProperties(@DefaultValue("default") String namespace, String apiServer,
                                   @DefaultValue("ghcr.io/hearth/runner:0.1.0") String runnerImage,
                                   @DefaultValue("8080") int runnerPort, String ownerConfigMap, String podSecretKey,
                                   java.util.Map<String, String> podLabels,
                                   @DefaultValue("100m") String cpuRequest, @DefaultValue("128Mi") String memoryRequest,
                                   @DefaultValue("1") String cpuLimit, @DefaultValue("512Mi") String memoryLimit,
                                   String runtimeClass, @DefaultValue("hearth-reconciler") String leaseName,
                                   @DefaultValue("5") int apiRetries, @DefaultValue("5") int breakerMinimumCalls,
                                   @DefaultValue("30s") java.time.Duration breakerOpenFor,
                                   @DefaultValue("15s") java.time.Duration leaderLease,
                                   @DefaultValue("30s") java.time.Duration abandonedClaimGrace,
                                   @DefaultValue("1m") java.time.Duration orphanSecretGrace,
                                   java.util.List<PoolOverride> pools) {

    /** Keeps the pod secret key out of logs and actuator dumps that print the bound properties. */
    @Override
    public String toString() {
        return "KubernetesProperties[namespace=" + namespace + ", apiServer=" + apiServer + ", runnerImage=" + runnerImage
                + ", ownerConfigMap=" + ownerConfigMap + ", podSecretKey=" + (podSecretKey == null ? "<unset>" : "<redacted>")
                + ", pools=" + pools + "]";
    }

    public KubernetesProperties {
        podLabels = podLabels == null ? java.util.Map.of() : java.util.Map.copyOf(podLabels);
        pools = pools == null ? java.util.List.of() : java.util.List.copyOf(pools);
    }

    /**
     * Per-image pod settings ({@code hearth.kubernetes.pools[i].*}), on top of the defaults above.
     *
     * @param image            the pool this applies to (as in {@code hearth.pools})
     * @param nodeSelector     node labels the pods must match
     * @param tolerations      taints the pods tolerate
     * @param runtimeClass     e.g. {@code gvisor} or {@code kata}; overrides the default
     * @param imagePullSecrets secrets to pull the pool's image with
     * @param env              extra environment of the runtime container
     * @param cpuLimit         overrides the default CPU limit
     * @param memoryLimit      overrides the default memory limit
     */
    public record PoolOverride(String image, java.util.Map<String, String> nodeSelector,
                               java.util.List<Toleration> tolerations, String runtimeClass,
                               java.util.List<String> imagePullSecrets, java.util.Map<String, String> env,
                               String cpuLimit, String memoryLimit) {
    }

    /** A Kubernetes toleration: {@code operator} Equal or Exists, {@code effect} NoSchedule/PreferNoSchedule/NoExecute. */
    public record Toleration(String key, String operator, String value, String effect, Long tolerationSeconds) {
    }

    /** The override for the image, if any. */
    public java.util.Optional<PoolOverride> override(String image) {
        return pools.stream().filter(pool -> image.equals(pool.image())).findFirst();
    }
}
