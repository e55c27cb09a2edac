package dev.hearth.gateway.config;

import java.time.Clock;
import java.util.List;

import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;

import dev.hearth.pool.DynamicPools;
import dev.hearth.pool.ImagePool;
import dev.hearth.pool.PodDriver;
import dev.hearth.pool.PoolObserver;
import dev.hearth.pool.Pools;

/**
 * Pools of this replica's own warm pods, for the drivers whose pods only their replica can reach (a local pod is
 * a runner in this process; a Docker container's secret is in this replica's memory only): each replica keeps
 * its pools at size, fills them at start and, at shutdown after the runtimes ended, destroys its warm pods. Pools made
 * at call time ({@link DynamicPools}, size 0: a container per runtime) start when made and close when idle or at
 * shutdown; the local driver makes none for an image without an entry (its catalog allows none).
 *
 * <p>Imported by the local and Docker driver configurations; deliberately neither a {@code @Configuration} nor nested
 * in one, since Spring registers a nested class with {@code @Bean} methods whatever the conditions on its imports.
 */
class ReplicaPools {

    @Bean
    List<ImagePool> imagePools(PoolEntries entries, PodDriver driver, PoolObserver observer) {
        return entries.configs().stream().map(config -> new ImagePool(config, driver, observer)).toList();
    }

    @Bean
    DynamicPools dynamicPools(HearthProperties properties, PodDriver driver, PoolObserver observer) {
        return new DynamicPools(config -> {
            ImagePool pool = new ImagePool(config, driver, observer);
            pool.start();
            return pool;
        }, properties.dynamicPools().settings(), Clock.systemUTC());
    }

    @Bean
    Pools pools(List<ImagePool> imagePools, PoolEntries entries, DynamicPools dynamic) {
        return new Pools(imagePools, entries.catalog(), dynamic);
    }

    @Bean
    SmartLifecycle imagePoolsLifecycle(List<ImagePool> imagePools, DynamicPools dynamic) {
        return new Background(Background.POOLS, () -> imagePools.forEach(ImagePool::start), () -> {
            dynamic.close();
            imagePools.forEach(ImagePool::close);
        });
    }
}
