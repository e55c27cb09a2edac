package dev.hearth.gateway.config;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;

import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import dev.hearth.gateway.api.error.ExecutorProperties;
import dev.hearth.pool.PodDriver;
import dev.hearth.pool.kubernetes.PodSecrets;
import dev.hearth.pool.kubernetes.KubernetesApi;
import dev.hearth.pool.kubernetes.KubernetesDriverConfig;
import dev.hearth.pool.kubernetes.KubernetesPodDriver;
import dev.hearth.pool.kubernetes.KubernetesPoolSpec;
import dev.hearth.pool.kubernetes.LeaderElection;
import dev.hearth.pool.DynamicPools;
import dev.hearth.pool.ImagePool;
import dev.hearth.pool.Pools;
import java.util.List;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.kubernetes.ClusterImagePool;
import dev.hearth.pool.kubernetes.ClusterPods;
import dev.hearth.pool.kubernetes.PodCreation;
import dev.hearth.pool.kubernetes.ClusterReconciliation;
import dev.hearth.pool.local.LocalPodDriver;
import dev.hearth.pool.docker.DockerApi;
import dev.hearth.pool.docker.DockerDriverConfig;
import dev.hearth.pool.docker.DockerPodDriver;
import dev.hearth.pool.docker.DockerPoolSpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.core.env.Environment;
import dev.hearth.runner.client.RunnerClient;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.Config;

/** Chooses the pod driver: {@code hearth.driver=local} (the default), {@code kubernetes} or {@code docker}. */
public final class DriverConfiguration {

    private DriverConfiguration() {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "hearth.driver", havingValue = "local", matchIfMissing = true)
    @Import(ReplicaPools.class)
    static class Local {

        @Bean(destroyMethod = "close")
        PodDriver podDriver(HearthProperties properties, RunnerClient runners) {
            return new LocalPodDriver(properties.workDir(), properties.podHost(), runners);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "hearth.driver", havingValue = "kubernetes")
    static class Kubernetes {

        /** The driver-wide settings ({@code hearth.kubernetes.*}), for the beans below. */
        @Bean
        KubernetesProperties kubernetesProperties(HearthProperties properties) {
            return properties.kubernetes();
        }

        /** The one adapter over the blocking client, on the request client (finite read timeout). */
        @Bean
        KubernetesApi kubernetesApi(KubernetesProperties k8s) throws java.io.IOException {
            ApiClient requests = apiClient(k8s);
            requests.setHttpClient(requests.getHttpClient().newBuilder()
                    .readTimeout(k8s.requestTimeout().toMillis(), TimeUnit.MILLISECONDS).build());
            return new KubernetesApi(requests, k8s.driverConfig());
        }

        /** The driver settings, with the owner ConfigMap's uid looked up once, at start. */
        @Bean
        KubernetesDriverConfig kubernetesDriverConfig(KubernetesProperties k8s, KubernetesApi api) {
            KubernetesDriverConfig config = k8s.driverConfig();
            if (k8s.ownerConfigMap() != null && !k8s.ownerConfigMap().isBlank()) {
                config = config.withOwner(api.ownerConfigMap(k8s.namespace(), k8s.ownerConfigMap())
                        .block(k8s.startupTimeout()));
            }
            return config;
        }

        @Bean
        PodSecrets podSecrets(KubernetesProperties k8s, ExecutorProperties executor) {
            return new PodSecrets(podSecretKey(k8s, executor));
        }

        /**
         * The Kubernetes spec of each image's pods as far as the image decides it (its entry's kubernetes block over
         * the defaults', checked at start), for the cache: the runner's port.
         */
        @Bean
        Function<String, KubernetesPoolSpec> kubernetesPoolSpecs(PoolEntries entries) {
            Map<String, KubernetesPoolSpec> specs = new ConcurrentHashMap<>();
            return image -> {
                KubernetesPoolSpec known = specs.get(image);
                // Not cached for images without an entry: there may be any number of them.
                return known != null ? known : entries.configs().stream().anyMatch(c -> c.image().equals(image))
                        ? specs.computeIfAbsent(image, entries::kubernetesSpec) : entries.kubernetesSpec(image);
            };
        }

        /** The informer cache of the runtime namespace, filled before anything else starts. */
        @Bean(destroyMethod = "close")
        ClusterPods clusterPods(KubernetesProperties k8s, KubernetesApi api, KubernetesDriverConfig config,
                                PodSecrets podSecrets, Function<String, KubernetesPoolSpec> specs) throws java.io.IOException {
            ApiClient watches = apiClient(k8s);
            // Watches are long-lived responses: no read timeout (toolchain.md).
            watches.setHttpClient(watches.getHttpClient().newBuilder().readTimeout(0, TimeUnit.SECONDS).build());
            ClusterPods pods = new ClusterPods(watches, api, config, podSecrets, specs);
            pods.start().block(k8s.startupTimeout());
            return pods;
        }

        /** Closed by the driver, which deletes at shutdown the pods this replica created. */
        @Bean(destroyMethod = "")
        PodCreation podCreation(KubernetesApi api, KubernetesDriverConfig config, PodSecrets podSecrets,
                                PoolEntries entries, ClusterPods pods, RunnerClient runners) {
            return new PodCreation(api, config, podSecrets, entries::kubernetesSpec, pods, runners);
        }

        @Bean(destroyMethod = "close")
        KubernetesPodDriver podDriver(ClusterPods pods, PodCreation creation) {
            return new KubernetesPodDriver(pods, creation);
        }

        /**
         * Reconciliation runs on one replica at a time, elected with a Lease; claiming runs on every replica
         * (DESIGN.md). The elected replica keeps every pool at size and removes pods of images no longer
         * configured.
         */
        @Bean(destroyMethod = "close")
        LeaderElection leaderElection(KubernetesApi api, KubernetesProperties k8s, ReplicaId replicaId) {
            return new LeaderElection(api, new LeaderElection.Settings(k8s.namespace(), k8s.leaseName(),
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
        MeterBinder poolBreakerMetrics(PodCreation creation) {
            return TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(creation.breakers());
        }

        /**
         * Pools made at call time, a Job per runtime: each replica makes its own, which share nothing but their pods'
         * labels; the leader leaves a Job's pod to its runtime's lease (ClusterReconciliation).
         */
        @Bean(destroyMethod = "close")
        DynamicPools dynamicPools(HearthProperties properties, ClusterPods pods, KubernetesPodDriver driver,
                                  PoolObserver observer) {
            return new DynamicPools(config -> new ClusterImagePool(config, pods, driver, observer),
                    properties.dynamicPools().settings(), java.time.Clock.systemUTC());
        }

        /** Pools whose warm pods live in the cluster, shared by every replica, kept by the leader. */
        @Bean
        Pools pools(PoolEntries entries, ClusterPods pods, KubernetesPodDriver driver, PoolObserver observer,
                    DynamicPools dynamic) {
            return new Pools(entries.configs().stream()
                    .map(config -> new ClusterImagePool(config, pods, driver, observer))
                    .toList(), entries.catalog(), dynamic);
        }

        @Bean(destroyMethod = "close")
        ClusterReconciliation clusterReconciliation(ClusterPods pods, PodCreation creation, KubernetesApi api,
                                                    KubernetesDriverConfig config, LeaderElection leader,
                                                    HearthProperties properties, LeaseStore leases,
                                                    KubernetesProperties k8s, PoolObserver observer) {
            return new ClusterReconciliation(pods, creation, api, config, leader, leases, properties.poolConfigs(),
                    new ClusterReconciliation.Settings(k8s.reconcilePeriod(), k8s.abandonedClaimGrace(),
                            k8s.orphanSecretGrace()), observer);
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

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "hearth.driver", havingValue = "docker")
    @Import(ReplicaPools.class)
    static class Docker {

        /** The driver-wide settings, the installation id defaulted from the replica name or the host name. */
        @Bean
        DockerDriverConfig dockerDriverConfig(HearthProperties properties, Environment environment) {
            return properties.docker().driverConfig(properties.replicaName(), hostName(environment),
                    properties.workDir());
        }

        /** The one adapter over docker-java's blocking clients. */
        @Bean(destroyMethod = "close")
        DockerApi dockerApi(DockerDriverConfig config) {
            return DockerApi.connect(config.host(), config.requestTimeout());
        }

        /**
         * Started before anything uses it: the Engine answered, the containers this installation's previous run left are
         * removed, the runner distribution is ready. At shutdown, after the pools, it removes every container it made.
         */
        @Bean(destroyMethod = "close")
        DockerPodDriver podDriver(DockerApi api, DockerDriverConfig config, HearthProperties properties,
                                  PoolEntries entries, RunnerClient runners) {
            // Cached for configured images only: there may be any number of others.
            Map<String, DockerPoolSpec> specs = new ConcurrentHashMap<>();
            entries.configs().forEach(pool -> specs.put(pool.image(), entries.dockerSpec(pool.image())));
            DockerPodDriver driver = new DockerPodDriver(api, config,
                    pool -> {
                        DockerPoolSpec known = specs.get(pool.image());
                        return known != null ? known : entries.dockerSpec(pool);
                    }, runners);
            driver.start().block(properties.docker().startupTimeout());
            return driver;
        }

        private static String hostName(Environment environment) {
            String name = environment.getProperty("HOSTNAME");
            if (name != null && !name.isBlank()) {
                return name;
            }
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                return "hearth";
            }
        }
    }
}
