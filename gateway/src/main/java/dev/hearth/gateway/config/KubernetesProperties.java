package dev.hearth.gateway.config;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.hearth.pool.kubernetes.KubernetesDriverConfig;

/**
 * {@code hearth.kubernetes.*}: the Kubernetes driver as a whole, used when {@code hearth.driver=kubernetes}. How
 * each pool's pods look (resources, runtime class, node selector, ...) is the pool's {@code kubernetes:} block.
 *
 * @param namespace      where runtime pods, their Jobs and Secrets, and the leader-election Lease live
 * @param apiServer      the API server's URL; empty = in-cluster service account, else ~/.kube/config
 * @param runnerImage    init image carrying the runner distribution, copied into {@code /opt/hearth}
 * @param runnerPort     the runner's port in every pod
 * @param ownerConfigMap ConfigMap in {@code namespace} every pod and Job gets an owner reference to, so that deleting
 *                       it (uninstalling the chart) garbage-collects them; looked up at start. Empty = none
 * @param podSecretKey   key every replica derives each pod's secret from; empty = the executor secret. Changing it
 *                       retires every existing pod at its next call
 * @param podLabels      extra labels on every pod, Job and Secret, which the informers also select on (the chart sets
 *                       {@code app.kubernetes.io/instance}); keys with dots or slashes go in brackets
 * @param leaseName      the {@code coordination.k8s.io/v1} Lease replicas elect their reconciler with
 * @param leaderLease    a dead leader is replaced within this; renewed every fifth of it, given up when not renewed
 *                       within two thirds of it
 * @param apiRetries     retries of an API call answered 429/5xx or failing to connect
 * @param apiRetryMinBackoff first wait before a retry; doubles per retry, with half of it as random jitter
 * @param apiRetryMaxBackoff longest wait before a retry
 * @param breakerMinimumCalls pod creations a pool's breaker needs before it may open (at 50% failures)
 * @param breakerOpenFor how long an open breaker fails acquisitions fast before probing again
 * @param abandonedClaimGrace a claimed pod whose lease is missing this long is deleted by the leader (its replica
 *                       died). With several replicas this needs Redis: an in-memory store knows only its own leases
 * @param orphanSecretGrace a pod Secret whose pod has been gone this long is deleted by the leader (swept as often)
 * @param reconcilePeriod how often the leader reconciles even without a pod event (a safety net)
 * @param requestTimeout read timeout of one API call
 * @param startupTimeout how long startup waits for the owner ConfigMap lookup and the first informer sync
 */
public record KubernetesProperties(@DefaultValue("default") String namespace, String apiServer,
                                   @DefaultValue("ghcr.io/hearth/runner:0.1.0") String runnerImage,
                                   @DefaultValue("8080") int runnerPort, String ownerConfigMap, String podSecretKey,
                                   Map<String, String> podLabels,
                                   @DefaultValue("hearth-reconciler") String leaseName,
                                   @DefaultValue("15s") Duration leaderLease,
                                   @DefaultValue("5") int apiRetries,
                                   @DefaultValue("100ms") Duration apiRetryMinBackoff,
                                   @DefaultValue("5s") Duration apiRetryMaxBackoff,
                                   @DefaultValue("5") int breakerMinimumCalls,
                                   @DefaultValue("30s") Duration breakerOpenFor,
                                   @DefaultValue("30s") Duration abandonedClaimGrace,
                                   @DefaultValue("1m") Duration orphanSecretGrace,
                                   @DefaultValue("5s") Duration reconcilePeriod,
                                   @DefaultValue("30s") Duration requestTimeout,
                                   @DefaultValue("60s") Duration startupTimeout) {

    public KubernetesProperties {
        podLabels = podLabels == null ? Map.of() : Map.copyOf(podLabels);
        Durations.requirePositive("hearth.kubernetes.leader-lease", leaderLease);
        Durations.requirePositive("hearth.kubernetes.abandoned-claim-grace", abandonedClaimGrace);
        Durations.requirePositive("hearth.kubernetes.orphan-secret-grace", orphanSecretGrace);
        Durations.requirePositive("hearth.kubernetes.reconcile-period", reconcilePeriod);
        Durations.requirePositive("hearth.kubernetes.request-timeout", requestTimeout);
        Durations.requirePositive("hearth.kubernetes.startup-timeout", startupTimeout);
    }

    /** The driver-wide settings, validated by their records (which name the bad value). */
    public KubernetesDriverConfig driverConfig() {
        try {
            return KubernetesDriverConfig.of(namespace)
                    .withRetry(new KubernetesDriverConfig.Retry(apiRetries, apiRetryMinBackoff, apiRetryMaxBackoff, 0.5))
                    .withBreaker(new KubernetesDriverConfig.Breaker(50, Math.max(10, breakerMinimumCalls),
                            breakerMinimumCalls, breakerOpenFor, 2))
                    .withLabels(podLabels);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hearth.kubernetes: " + e.getMessage(), e);
        }
    }

    /** Keeps the pod secret key out of logs and actuator dumps that print the bound properties. */
    @Override
    public String toString() {
        return "KubernetesProperties[namespace=" + namespace + ", apiServer=" + apiServer + ", runnerImage=" + runnerImage
                + ", ownerConfigMap=" + ownerConfigMap + ", podSecretKey="
                + (podSecretKey == null ? "<unset>" : "<redacted>") + "]";
    }
}
