package dev.hearth.pool;

import java.util.function.Function;

/** Makes the {@link PodPool} of each configured image; a driver that shares pods across replicas brings its own. */
@FunctionalInterface
public interface PodPoolFactory extends Function<PoolConfig, PodPool> {
}
