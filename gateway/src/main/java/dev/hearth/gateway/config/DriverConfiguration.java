package dev.hearth.gateway.config;

import java.util.concurrent.TimeUnit;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;

import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.hearth.gateway.api.error.ExecutorProperties;
import dev.hearth.pool.PodDriver;
import dev.hearth.pool.kubernetes.PodSecrets;
import dev.hearth.pool.kubernetes.KubernetesApi;
import dev.hearth.pool.kubernetes.KubernetesDriverConfig;
import dev.hearth.pool.kubernetes.KubernetesPodDriver;
import dev.hearth.pool.kubernetes.KubernetesPoolSpec;
import dev.hearth.pool.kubernetes.LeaderElection;
import dev.hearth.pool.ImagePool;
import dev.hearth.pool.Pools;
import java.util.List;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.kubernetes.ClusterImagePool;
import dev.hearth.pool.kubernetes.ClusterReconciliation;
import dev.hearth.pool.local.LocalPodDriver;
import dev.hearth.runner.client.RunnerClient;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.Config;

/** Chooses the pod driver: {@code hearth.driver=local} (the default) or {@code kubernetes}. */
public final class DriverConfiguration {

    private DriverConfiguration() {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "hearth.driver", havingValue = "local", matchIfMissing = true)
    static class Local {

        @Bean(destroyMethod = "close")
        PodDriver podDriver(HearthProperties properties) {
            return new LocalPodDriver(properties.workDir(), properties.podHost());
        }

        /** This replica's own warm pods: a local pod is a runner in this process, no other replica can reach it. */
        @Bean
        List<ImagePool> imagePools(HearthProperties properties, PodDriver driver, PoolObserver observer) {
            return properties.poolConfigs().stream().map(config -> new ImagePool(config, driver, observer)).toList();
        }

        @Bean
        Pools pools(List<ImagePool> imagePools) {
            return new Pools(imagePools);
        }

        /** Fills the pools at start; at shutdown, after the runtimes ended, destroys the warm pods. */
        @Bean
        SmartLifecycle imagePoolsLifecycle(List<ImagePool> imagePools) {
            return new Background(Background.POOLS, () -> imagePools.forEach(ImagePool::start),
                    () -> imagePools.forEach(ImagePool::close));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "hearth.driver", havingValue = "kubernetes")
    static class Kubernetes {

        @Bean(destroyMethod = "close")
        KubernetesPodDriver podDriver(HearthProperties properties, ExecutorProperties executor, RunnerClient runners)
                throws Exception {
            KubernetesProperties k8s = properties.kubernetes();
            ApiClient requests = apiClient(k8s);
            requests.setHttpClient(requests.getHttpClient().newBuilder()
                    .readTimeout(k8s.requestTimeout().toMillis(), TimeUnit.MILLISECONDS).build());
            ApiClient watches = apiClient(k8s);
            // Watches are long-lived responses: no read timeout (toolchain.md).
            watches.setHttpClient(watches.getHttpClient().newBuilder().readTimeout(0, TimeUnit.SECONDS).build());
            KubernetesDriverConfig config = k8s.driverConfig();
            if (k8s.ownerConfigMap() != null && !k8s.ownerConfigMap().isBlank()) {
                config = config.withOwner(new KubernetesApi(requests, config)
                        .ownerConfigMap(k8s.namespace(), k8s.ownerConfigMap())
                        .block(k8s.startupTimeout()));
            }
            java.util.Map<String, KubernetesPoolSpec> specs = new java.util.concurrent.ConcurrentHashMap<>();
            String podSecretKey = podSecretKey(k8s, executor);
            KubernetesPodDriver driver = new KubernetesPodDriver(requests, watches, config, new PodSecrets(podSecretKey),
                    image -> specs.computeIfAbsent(image, properties::poolSpec), runners);
            driver.start().block(k8s.startupTimeout());
            return driver;
        }

        /**
         * Reconciliation runs on one replica at a time, elected with a Lease; claiming runs on every replica
         * (DESIGN.md). The elected replica keeps every pool at size and removes pods of images no longer
         * configured.
         */
        @Bean(destroyMethod = "close")
        LeaderElection leaderElection(KubernetesPodDriver driver, HearthProperties properties, ReplicaId replicaId) {
            KubernetesProperties k8s = properties.kubernetes();
            return new LeaderElection(driver.api(), new LeaderElection.Settings(k8s.namespace(), k8s.leaseName(),
                    replicaId.value(), k8s.leaderLease(), k8s.leaderLease().multipliedBy(2).dividedBy(3),
                    k8s.leaderLease().dividedBy(5))).start();
        }

        /**
         * Releases the reconciler Lease as the very first step of shutdown, before the web server drains the
         * requests in flight (which may take the whole shutdown phase): the successor takes over at its next look,
         * not after this replica's last execution. The election's own close at bean destruction is then a no-op.
         */
        @Bean
        SmartLifecycle leadershipRelease(LeaderElection leader) {
            return new Background(Background.LEADERSHIP, () -> { }, leader::close);
        }

        /**
         * Each pool's pod-creation breaker as {@code resilience4j_circuitbreaker_state{name="pool:<image>"}} and its
         * call counts; breakers created later (on a pool's first creation) are bound as they appear.
         */
        @Bean
        MeterBinder poolBreakerMetrics(KubernetesPodDriver driver) {
            return TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(driver.api().breakers());
        }

        /** Pools whose warm pods live in the cluster, shared by every replica, kept by the leader. */
        @Bean
        Pools pools(HearthProperties properties, KubernetesPodDriver driver, PoolObserver observer) {
            return new Pools(properties.poolConfigs().stream()
                    .map(config -> new ClusterImagePool(config, driver, observer))
                    .toList());
        }

        @Bean(destroyMethod = "close")
        ClusterReconciliation clusterReconciliation(KubernetesPodDriver driver, LeaderElection leader,
                                                    HearthProperties properties, LeaseStore leases,
                                                    PoolObserver observer) {
            KubernetesProperties k8s = properties.kubernetes();
            return new ClusterReconciliation(driver, leader, properties.poolConfigs(), k8s.reconcilePeriod(), leases,
                    k8s.abandonedClaimGrace(), observer, k8s.orphanSecretGrace());
        }

        /**
         * The key pod secrets derive from: {@code pod-secret-key}, else the executor secret. A blank or "0" executor
         * secret means "no auth" to Open Runtimes: deriving from it would make every pod secret guessable.
         */
        private static String podSecretKey(KubernetesProperties k8s, ExecutorProperties executor) {
            if (k8s.podSecretKey() != null && !k8s.podSecretKey().isBlank()) {
                return k8s.podSecretKey();
            }
            if (!executor.hasUsableSecret()) {
                throw new IllegalStateException("hearth.kubernetes.pod-secret-key is not set and the executor secret"
                        + " (OPR_EXECUTOR_SECRET) is empty or \"0\": set either, pod secrets are derived from it");
            }
            return executor.secret();
        }

        private static ApiClient apiClient(KubernetesProperties k8s) throws java.io.IOException {
            if (k8s.apiServer() != null && !k8s.apiServer().isBlank()) {
                return new ClientBuilder().setBasePath(k8s.apiServer()).build();
            }
            return Config.defaultClient();
        }
    }
}
