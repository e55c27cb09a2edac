package dev.hearth.gateway.config;

import java.time.Clock;
import java.time.Duration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.hearth.gateway.source.LocalStorage;
import dev.hearth.pool.PodDriver;
import dev.hearth.pool.accounting.PoolAccounting;
import dev.hearth.pool.Pools;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.local.LocalPodDriver;
import dev.hearth.pool.registry.RuntimeRegistry;
import dev.hearth.pool.runtime.RuntimeMaintenance;
import dev.hearth.pool.runtime.Runtimes;
import dev.hearth.pool.Secrets;
import dev.hearth.runner.client.RunnerClient;

/**
 * Wires the embedded default: the local pod driver and in-memory stores. Later drivers and stores
 * (Kubernetes, Redis) replace beans here; the gateway's handlers only see {@link Runtimes} and {@link Pools}.
 */
@Configuration(proxyBeanMethods = false)
public class HearthConfiguration {

    @Bean(destroyMethod = "close")
    PodDriver podDriver(HearthProperties properties) {
        return new LocalPodDriver(properties.workDir(), properties.podHost());
    }

    /** This replica's identity: the holder of its leases and the owner of its pool counts. */
    @Bean
    ReplicaId replicaId() {
        return new ReplicaId("gateway-" + Secrets.hex(6));
    }

    @Bean(destroyMethod = "close")
    Pools pools(HearthProperties properties, PodDriver driver, PoolAccounting accounting) {
        Pools pools = new Pools(properties.poolConfigs(), driver, accounting);
        driver.terminations().subscribe(pools::podTerminated);
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
                      RunnerClient runnerClient, ReplicaId replicaId) {
        return new Runtimes(pools, leases, registry, runnerClient, properties.runtimesConfig(replicaId.value()),
                Clock.systemUTC());
    }

    /** Ends held runtimes before the pools close, so that leases are released, not left to expire. */
    @Bean(destroyMethod = "close")
    RuntimeMaintenance runtimeMaintenance(Runtimes runtimes) {
        RuntimeMaintenance maintenance = new RuntimeMaintenance(runtimes);
        maintenance.start();
        return maintenance;
    }
}
