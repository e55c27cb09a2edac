package dev.hearth.gateway.config;

import java.time.Clock;
import java.time.Duration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.hearth.gateway.source.LocalStorage;
import dev.hearth.pool.ImagePool;
import dev.hearth.pool.PodDriver;
import dev.hearth.pool.PodPoolFactory;
import dev.hearth.pool.PoolObserver;
import org.springframework.beans.factory.ObjectProvider;
import dev.hearth.pool.accounting.PoolAccounting;
import dev.hearth.pool.Pools;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.registry.RuntimeRegistry;
import dev.hearth.pool.runtime.RuntimeMaintenance;
import dev.hearth.pool.runtime.RuntimeObserver;
import dev.hearth.pool.runtime.Runtimes;
import dev.hearth.pool.Secrets;
import dev.hearth.runner.client.RunnerClient;

/**
 * Wires pools and runtimes over whichever driver ({@link DriverConfiguration}) and state stores
 * ({@link StateStoreConfiguration}) are configured; the gateway's handlers only see {@link Runtimes}.
 */
@Configuration(proxyBeanMethods = false)
public class HearthConfiguration {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HearthConfiguration.class);

    /**
     * This replica's identity: the holder of its leases and the owner of its pool counts. It starts with the pod's
     * name ({@code HOSTNAME}, or {@code hearth.replica-name}) so an operator reading a Lease's holder knows the
     * pod; the random part keeps a restarted pod of the same name from inheriting its predecessor's leases.
     */
    @Bean
    ReplicaId replicaId(org.springframework.core.env.Environment environment) {
        String name = environment.getProperty("hearth.replica-name", environment.getProperty("HOSTNAME", "gateway"));
        return new ReplicaId(name + "-" + Secrets.hex(6));
    }

    @Bean(destroyMethod = "close")
    Pools pools(HearthProperties properties, PodDriver driver, PoolAccounting accounting,
                ObjectProvider<PodPoolFactory> sharedPools, PoolObserver observer) {
        PodPoolFactory factory = sharedPools.getIfAvailable(() -> config -> new ImagePool(config, driver, accounting,
                observer));
        Pools pools = new Pools(properties.poolConfigs(), driver, accounting, factory);
        pools.warmup();
        pools.startMaintenance(Duration.ofSeconds(1));
        return pools;
    }

    @Bean
    LocalStorage localStorage(HearthProperties properties) {
        return new LocalStorage(properties.storageRoot());
    }

    @Bean
    RunnerClient runnerClient() {
        return RunnerClient.create(Duration.ofSeconds(5));
    }

    @Bean
    Runtimes runtimes(HearthProperties properties, Pools pools, LeaseStore leases, RuntimeRegistry registry,
                      RunnerClient runnerClient, ReplicaId replicaId, RuntimeObserver observer) {
        Runtimes runtimes = new Runtimes(pools, leases, registry, runnerClient,
                properties.runtimesConfig(replicaId.value()), Clock.systemUTC(), observer);
        // A pod that dies on its own: a warm one is replaced, a claimed one ends its runtime.
        pools.driverTerminations().subscribe(podId -> {
            pools.podTerminated(podId);
            runtimes.podTerminated(podId).subscribe(null, error -> log.warn("Ending the runtime of dead pod {} failed: {}",
                    podId, error.toString()));
        }, error -> log.error("Pod termination events stopped", error));
        return runtimes;
    }

    /** Ends held runtimes before the pools close, so that leases are released, not left to expire. */
    @Bean(destroyMethod = "close")
    RuntimeMaintenance runtimeMaintenance(Runtimes runtimes) {
        RuntimeMaintenance maintenance = new RuntimeMaintenance(runtimes);
        maintenance.start();
        return maintenance;
    }
}
