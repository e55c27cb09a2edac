package dev.hearth.gateway.config;

import java.util.List;

import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;

import dev.hearth.pool.ImagePool;
import dev.hearth.pool.PodDriver;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.Pools;

/**
 * Pools of this replica's own warm pods, for the drivers whose pods only their replica can reach (a local pod is
 * a runner in this process; a Docker container's secret is in this replica's memory only): each replica keeps
 * its pools at size, fills them at start and, at shutdown after the runtimes ended, destroys its warm pods.
 *
 * <p>Imported by the local and Docker driver configurations; deliberately neither a {@code @Configuration} nor nested
 * in one, since Spring registers a nested class with {@code @Bean} methods whatever the conditions on its imports.
 */
class ReplicaPools {

    @Bean
    List<ImagePool> imagePools(HearthProperties properties, PodDriver driver, PoolObserver observer) {
        return properties.poolConfigs().stream().map(config -> new ImagePool(config, driver, observer)).toList();
    }

    @Bean
    Pools pools(List<ImagePool> imagePools) {
        return new Pools(imagePools);
    }

    @Bean
    SmartLifecycle imagePoolsLifecycle(List<ImagePool> imagePools) {
        return new Background(Background.POOLS, () -> imagePools.forEach(ImagePool::start),
                () -> imagePools.forEach(ImagePool::close));
    }
}
