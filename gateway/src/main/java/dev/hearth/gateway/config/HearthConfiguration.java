package dev.hearth.gateway.config;

import java.time.Clock;

import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.hearth.gateway.api.error.ExecutorProperties;
import dev.hearth.pool.PodDriver;
import dev.hearth.pool.Pools;
import dev.hearth.pool.Secrets;
import dev.hearth.pool.lease.LeaseStore;
import dev.hearth.pool.registry.RuntimeRegistry;
import dev.hearth.pool.runtime.RuntimeObserver;
import dev.hearth.pool.runtime.Runtimes;
import dev.hearth.runner.client.RunnerClient;

/**
 * Wires runtimes over whichever driver and pools ({@link DriverConfiguration}) and state stores
 * ({@link StateStoreConfiguration}) are configured; the gateway's handlers only see {@link Runtimes}.
 */
@Configuration(proxyBeanMethods = false)
public class HearthConfiguration {

    /**
     * This replica's identity: the holder of its leases. It starts with the pod's name ({@code HOSTNAME}, or
     * {@code hearth.replica-name}) so an operator reading a Lease's holder knows the pod; the random part keeps a
     * restarted pod of the same name from inheriting its predecessor's leases.
     */
    @Bean
    ReplicaId replicaId(HearthProperties properties, org.springframework.core.env.Environment environment) {
        String name = properties.replicaName() != null ? properties.replicaName()
                : environment.getProperty("HOSTNAME", "gateway");
        return new ReplicaId(name + "-" + Secrets.hex(6));
    }

    /** The pool entries resolved: configured pools, the catalog of pools made at call time, pod specs. */
    @Bean
    PoolEntries poolEntries(HearthProperties properties) {
        return properties.poolEntries();
    }

    /** The Open Runtimes API's settings, for the handlers, the auth filter and the error handler. */
    @Bean
    ExecutorProperties executorProperties(HearthProperties properties) {
        return properties.executor();
    }

    @Bean
    RunnerClient runnerClient(HearthProperties properties) {
        return RunnerClient.create(properties.runner().connectTimeout());
    }

    @Bean
    Runtimes runtimes(HearthProperties properties, Pools pools, LeaseStore leases, RuntimeRegistry registry,
                      RunnerClient runnerClient, ReplicaId replicaId, RuntimeObserver observer) {
        return new Runtimes(pools, leases, registry, runnerClient, properties.runtimes().config(replicaId.value()),
                Clock.systemUTC(), observer);
    }

    /**
     * Renews leases, writes activity, reaps idle runtimes and ends those whose pod died; at shutdown, after
     * requests drained, ends every held runtime so that leases are released, not left to expire.
     */
    @Bean
    SmartLifecycle runtimeMaintenance(Runtimes runtimes, PodDriver driver, HearthProperties properties) {
        return new Background(Background.RUNTIMES,
                () -> runtimes.maintenance().start(driver.terminations()),
                () -> runtimes.maintenance().stop().block(properties.runtimes().shutdownTimeout()));
    }
}
